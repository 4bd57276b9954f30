// Settings: each channel's routing rule (PUT /v1/channels/{id}/routing) with every field the
// API has — automatic assignment, to named users and teams or to the contact's owner (with a
// fallback), only available users — and its ticket rule (pipeline, stage, owner, limit per
// contact). Working hours, capacity and seats are the users' own (see Users): routing
// honours them. The API's 400 is shown next to the field it names.
import { h, api } from '../core.js';
import { t } from '../i18n.js';
import { field, choice, group, showError, clearErrors, saved, status } from './form.js';

const aliases = { user: 'userIds', team: 'teamIds', target: 'target', fallback: 'fallback', tickets: 'tickets' };

function ruleForm(ch, ctx) {
  const r = ch.routing || { autoAssign: false, target: 'users_and_teams', onlyAvailable: true };
  const p = 'rule-' + ch.id;
  const seated = ctx.users.filter(u => u.paidSeat || (r.userIds || []).includes(u.id) || (r.fallbackUserIds || []).includes(u.id));
  const auto = h('input', { type: 'checkbox', id: 'auto-' + ch.id, checked: !!r.autoAssign });
  const target = choice([['users_and_teams', t('app.settings.routing.usersAndTeams')], ['contact_owner', t('app.settings.routing.contactOwner')]], r.target || 'users_and_teams', { id: p + '-target' });
  const users = group(t('app.settings.routing.users'), seated, r.userIds || [], 'userIds', 'route-' + ch.id);
  const teams = group(t('app.settings.routing.teams'), ctx.teams, r.teamIds || [], 'teamIds', p + '-team');
  const only = h('input', { type: 'checkbox', id: p + '-only', checked: r.onlyAvailable ?? true });
  const fallback = choice([['unassigned', t('app.settings.routing.fallbackUnassigned')], ['users_and_teams', t('app.settings.routing.fallbackUsers')]], r.fallback || 'unassigned', { id: p + '-fallback' });
  const fbUsers = group(t('app.settings.routing.fallbackUserIds'), seated, r.fallbackUserIds || [], 'fallbackUserIds', p + '-fbuser');
  const fbTeams = group(t('app.settings.routing.fallbackTeamIds'), ctx.teams, r.fallbackTeamIds || [], 'fallbackTeamIds', p + '-fbteam');
  const owner = h('fieldset', { class: 'group' }, h('legend', { text: t('app.settings.routing.whenNoOwner') }),
    field(t('app.settings.routing.fallback'), fallback, 'fallback'), fbUsers, fbTeams);
  const named = h('div', {}, users, teams);
  const tk = r.tickets || {};
  const tOn = h('input', { type: 'checkbox', id: p + '-tickets', checked: !!r.tickets });
  const pipeline = h('input', { type: 'text', id: p + '-pipeline', value: tk.pipeline || 'support' });
  const stage = h('input', { type: 'text', id: p + '-stage', value: tk.stage || 'new' });
  const tOwner = choice([['', t('app.settings.routing.ticketOwnerAssignee')], ...ctx.users.map(u => [u.id, u.name || u.id])], tk.ownerUserId || '', { id: p + '-towner' });
  const maxPer = h('input', { type: 'number', id: p + '-tmax', min: 0, value: tk.maxPerContact || '' });
  const tFields = h('div', {}, field(t('app.settings.routing.pipeline'), pipeline, 'tickets.pipeline'), field(t('app.settings.routing.stage'), stage, 'tickets.stage'),
    field(t('app.settings.routing.ticketOwner'), tOwner, 'tickets.ownerUserId'), field(t('app.settings.routing.maxPerContact'), maxPer, 'tickets.maxPerContact', t('app.settings.routing.maxPerContactHint')));
  const tickets = h('fieldset', { class: 'group', 'data-field': 'tickets' }, h('legend', { text: t('app.settings.routing.tickets') }),
    field(t('app.settings.routing.ticketsOn'), tOn, null), tFields, h('span', { class: 'field-error error', hidden: true }));
  const sync = () => { named.hidden = target.value !== 'users_and_teams'; owner.hidden = target.value !== 'contact_owner'; tFields.hidden = !tOn.checked; };
  target.onchange = tOn.onchange = sync; sync();
  const st = status('saved-' + ch.id);
  const form = h('form', { id: p, class: 'grid' },
    field(t('app.settings.routing.auto'), auto, 'autoAssign'), field(t('app.settings.routing.target'), target, 'target'), named, owner,
    field(t('app.settings.routing.onlyAvailable'), only, 'onlyAvailable', t('app.settings.routing.onlyAvailableHint')), tickets,
    h('p', {}, h('button', { type: 'submit', class: 'primary', id: 'save-' + ch.id, text: t('app.settings.routing.save') }), ' ', st));
  form.onsubmit = async e => {
    e.preventDefault(); clearErrors(form);
    const body = { autoAssign: auto.checked, target: target.value, onlyAvailable: only.checked };
    if (target.value === 'users_and_teams') { body.userIds = users.values(); body.teamIds = teams.values(); }
    else {
      body.fallback = fallback.value;
      if (fallback.value === 'users_and_teams') { body.fallbackUserIds = fbUsers.values(); body.fallbackTeamIds = fbTeams.values(); }
    }
    if (tOn.checked) {
      body.tickets = { pipeline: pipeline.value, stage: stage.value };
      if (tOwner.value) body.tickets.ownerUserId = tOwner.value;
      if (maxPer.value !== '') body.tickets.maxPerContact = Number(maxPer.value);
    }
    try { await api('PUT', '/v1/channels/' + ch.id + '/routing', body); saved(st); } catch (err) { showError(form, st, err, aliases); }
  };
  return form;
}

export default {
  id: 'routing', title: () => t('app.settings.routing.title'),
  render(ctx) {
    return h('div', {}, h('p', { class: 'muted', text: t('app.settings.routing.intro') }),
      ctx.channels.map(ch => h('details', { id: 'routing-' + ch.id },
        h('summary', {}, h('strong', { text: ch.name }), ' · ', ch.type, ' · ',
          ch.routing && ch.routing.autoAssign ? t('app.settings.routing.autoOn') : t('app.settings.routing.autoOff')),
        ruleForm(ch, ctx))));
  },
};
