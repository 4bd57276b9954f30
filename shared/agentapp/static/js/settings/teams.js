// Settings: the account's teams — create one, rename it and choose its members.
import { h, api } from '../core.js';
import { t } from '../i18n.js';
import { field, group, showError, clearErrors, status } from './form.js';

function teamForm(tm, ctx, creating) {
  const p = creating ? 'team-new' : 'team-' + tm.id;
  const name = h('input', { type: 'text', id: p + '-name', value: tm.name || '', required: true });
  const members = group(t('app.settings.teams.members'), ctx.users, tm.userIds || [], 'userIds', p + '-member');
  const st = status(p + '-status');
  const form = h('form', { id: p + '-form', class: 'grid' }, field(t('app.settings.teams.name'), name, 'name'), members,
    h('p', {}, h('button', { type: 'submit', class: 'primary', id: p + '-save', text: creating ? t('app.settings.teams.create') : t('app.settings.save') }), ' ', st));
  form.onsubmit = async e => {
    e.preventDefault(); clearErrors(form);
    const body = { name: name.value, userIds: members.values() };
    try {
      if (creating) await api('POST', '/v1/teams', body); else await api('PATCH', '/v1/teams/' + tm.id, body);
      await ctx.redraw('teams', 'users', 'routing', 'channels');
    } catch (err) { showError(form, st, err, { user: 'userIds' }); }
  };
  return form;
}

export default {
  id: 'teams', title: () => t('app.settings.teams.title'),
  render(ctx) {
    const names = ids => ids.map(id => (ctx.users.find(u => u.id === id) || {}).name || id).join(', ') || '—';
    return h('div', {},
      h('ul', { class: 'plain' }, ctx.teams.map(tm => h('li', { id: 'team-row-' + tm.id },
        h('details', {}, h('summary', {}, h('strong', { text: tm.name }), ' · ', names(tm.userIds || [])), teamForm(tm, ctx, false))))),
      h('details', { id: 'team-new' }, h('summary', { text: t('app.settings.teams.add') }), teamForm({}, ctx, true)));
  },
};
