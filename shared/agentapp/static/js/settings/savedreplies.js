// Settings: the team's saved replies — create, edit and delete them (admins; agents use them in
// the composer).
import { h, api } from '../core.js';
import { t } from '../i18n.js';
import { field, choice, showError, clearErrors, status } from './form.js';
import { forgetSavedReplies } from '../savedreplies.js';

// A 409 names no field ("another saved reply has this shortcut"): it belongs to the shortcut.
const aliases = { another: 'shortcut' };

function replyForm(r, ctx, creating) {
  const p = creating ? 'sr-new' : 'sr-' + r.id;
  const name = h('input', { type: 'text', id: p + '-name', value: r.name || '', required: true, maxlength: 80 });
  const shortcut = h('input', { type: 'text', id: p + '-shortcut', value: r.shortcut || '', required: true, maxlength: 33, autocomplete: 'off' });
  const text = h('textarea', { id: p + '-text', required: true, maxlength: 4000, rows: 4 });
  text.value = r.text || '';
  const inbox = choice([['', t('app.settings.savedReplies.everyInbox')], ...ctx.inboxes.map(ib => [ib.id, ib.name])], r.inboxId || '', { id: p + '-inbox' });
  const st = status(p + '-status');
  const save = h('button', { type: 'submit', class: 'primary', id: p + '-save', text: creating ? t('app.settings.savedReplies.create') : t('app.settings.save') });
  const del = creating ? null : h('button', { type: 'button', id: p + '-delete', text: t('app.settings.savedReplies.delete') });
  const form = h('form', { id: p + '-form', class: 'grid' },
    field(t('app.settings.savedReplies.name'), name, 'name'),
    field(t('app.settings.savedReplies.shortcut'), shortcut, 'shortcut', t('app.settings.savedReplies.shortcutHint')),
    field(t('app.settings.savedReplies.text'), text, 'text', t('app.settings.savedReplies.textHint')),
    field(t('app.settings.savedReplies.inbox'), inbox, 'inboxId'),
    h('p', {}, save, ' ', del, ' ', st));
  form.onsubmit = async e => {
    e.preventDefault(); clearErrors(form);
    const body = { name: name.value, shortcut: shortcut.value, text: text.value, inboxId: inbox.value };
    try {
      if (creating) await api('POST', '/v1/saved-replies', body); else await api('PATCH', '/v1/saved-replies/' + r.id, body);
      forgetSavedReplies();
      await ctx.redraw('savedreplies');
    } catch (err) { showError(form, st, err, aliases); }
  };
  if (del) del.onclick = async () => {
    if (!confirm(t('app.settings.savedReplies.confirmDelete', { name: r.name }))) return;
    try {
      await api('DELETE', '/v1/saved-replies/' + r.id);
      forgetSavedReplies();
      await ctx.redraw('savedreplies');
    } catch (err) { showError(form, st, err, aliases); }
  };
  return form;
}

export default {
  id: 'savedreplies', title: () => t('app.settings.savedReplies.title'),
  async render(ctx) {
    const replies = (await api('GET', '/v1/saved-replies')).items;
    const inboxName = id => (ctx.inboxes.find(ib => ib.id === id) || {}).name || id;
    return h('div', {},
      h('p', { class: 'muted', text: t('app.settings.savedReplies.intro') }),
      replies.length ? null : h('p', { class: 'muted', id: 'sr-empty', text: t('app.settings.savedReplies.empty') }),
      h('ul', { class: 'plain' }, replies.map(r => h('li', { id: 'sr-row-' + r.id },
        h('details', {}, h('summary', {}, h('strong', { text: '/' + r.shortcut }), ' · ', r.name, r.inboxId ? ' · ' + inboxName(r.inboxId) : ''),
          replyForm(r, ctx, false))))),
      h('details', { id: 'sr-new' }, h('summary', { text: t('app.settings.savedReplies.add') }), replyForm({}, ctx, true)));
  },
};
