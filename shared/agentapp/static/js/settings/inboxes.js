// Settings: the account's inboxes — create one, rename each (PATCH /v1/inboxes/{id}). Inboxes
// cannot be deleted: the API keeps them, since their conversations and channels need one.
import { h, api } from '../core.js';
import { t } from '../i18n.js';
import { field, showError, clearErrors, saved, status } from './form.js';

function renameForm(ib, ctx) {
  const name = h('input', { type: 'text', id: 'inbox-name-' + ib.id, value: ib.name, maxlength: 100, required: true });
  const st = status('inbox-status-' + ib.id);
  const form = h('form', { class: 'inline', id: 'inbox-' + ib.id },
    field(t('app.settings.inboxes.name'), name, 'name'), h('button', { type: 'submit', text: t('app.settings.inboxes.rename') }), st);
  form.onsubmit = async e => {
    e.preventDefault(); clearErrors(form);
    try { await api('PATCH', '/v1/inboxes/' + ib.id, { name: name.value }); saved(st); } catch (err) { showError(form, st, err); }
  };
  return form;
}

export default {
  id: 'inboxes', title: () => t('app.settings.inboxes.title'),
  render(ctx) {
    const name = h('input', { type: 'text', id: 'inbox-new-name', maxlength: 100 });
    const st = status('inbox-new-status');
    const create = h('form', { class: 'inline', id: 'inbox-new' },
      field(t('app.settings.inboxes.newName'), name, 'name'), h('button', { type: 'submit', class: 'primary', text: t('app.settings.inboxes.create') }), st);
    create.onsubmit = async e => {
      e.preventDefault(); clearErrors(create);
      try { await api('POST', '/v1/inboxes', { name: name.value }); await ctx.redraw('inboxes', 'channels'); } catch (err) { showError(create, st, err); }
    };
    return h('div', {}, h('ul', { class: 'plain' }, ctx.inboxes.map(ib => h('li', {}, renameForm(ib, ctx)))), create);
  },
};
