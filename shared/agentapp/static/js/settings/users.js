// Settings: the account's users — seats and load against capacity at a glance; an admin adds a
// user and edits each one's role, seat, capacity (or unlimited), availability, time zone,
// working hours (several ranges a day for split shifts) and teams.
import { h, api } from '../core.js';
import { t } from '../i18n.js';
import { field, choice, group, showError, clearErrors, saved, status } from './form.js';
import { hoursEditor, dayName } from './hours.js';

// The API's messages name these fields by a first word of their own.
const aliases = { time: 'timeZone', working: 'workingHours', team: 'teamIds', capacity: 'capacity' };

function userForm(u, ctx, creating) {
  const p = creating ? 'user-new' : 'user-' + u.id;
  const c = {
    id: h('input', { type: 'text', id: p + '-id', required: true, autocomplete: 'off' }),
    name: h('input', { type: 'text', id: p + '-name', value: u.name || '', maxlength: 100, required: true }),
    email: h('input', { type: 'email', id: p + '-email', value: u.email || '' }),
    phone: h('input', { type: 'tel', id: p + '-phone', value: u.phone || '', placeholder: '+14155550100' }),
    role: choice([['agent', t('app.settings.users.agent')], ['admin', t('app.settings.users.admin')]], u.role || 'agent', { id: p + '-role' }),
    seat: h('input', { type: 'checkbox', id: p + '-seat', checked: !!u.paidSeat }),
    capacity: h('input', { type: 'number', id: p + '-capacity', min: 0, value: u.capacity ?? '' }),
    unlimited: h('input', { type: 'checkbox', id: p + '-unlimited', checked: u.capacity == null }),
    available: h('input', { type: 'checkbox', id: p + '-available', checked: creating || !!u.available }),
    tz: h('input', { type: 'text', id: p + '-tz', value: u.timeZone || '', placeholder: 'Europe/Copenhagen' }),
  };
  c.capacity.disabled = c.unlimited.checked;
  c.unlimited.onchange = () => { c.capacity.disabled = c.unlimited.checked; };
  const hours = hoursEditor(t('app.settings.users.hours'), u.workingHours || [], 'workingHours', p);
  const teams = group(t('app.settings.users.teams'), ctx.teams, u.teamIds || [], 'teamIds', p + '-team');
  const st = status(p + '-status');
  const form = h('form', { id: p + '-form', class: 'grid' },
    creating ? field(t('app.settings.users.id'), c.id, 'id', t('app.settings.users.idHint')) : null,
    field(t('app.settings.users.name'), c.name, 'name'), field(t('app.settings.users.email'), c.email, 'email'),
    field(t('app.settings.users.phone'), c.phone, 'phone'), field(t('app.settings.users.role'), c.role, 'role'),
    field(t('app.settings.users.seat'), c.seat, 'paidSeat'),
    field(t('app.settings.users.capacity'), c.capacity, 'capacity', t('app.settings.users.capacityHint')),
    field(t('app.settings.users.unlimited'), c.unlimited, 'unlimited'),
    field(t('app.settings.users.available'), c.available, 'available'),
    field(t('app.settings.users.timeZone'), c.tz, 'timeZone'), hours, teams,
    h('p', {}, h('button', { type: 'submit', class: 'primary', id: p + '-save', text: creating ? t('app.settings.users.create') : t('app.settings.save') }), ' ', st));
  form.onsubmit = async e => {
    e.preventDefault(); clearErrors(form);
    const body = { name: c.name.value, phone: c.phone.value, role: c.role.value, paidSeat: c.seat.checked, available: c.available.checked,
      timeZone: c.tz.value.trim(), workingHours: hours.value(), teamIds: teams.values() };
    if (c.email.value.trim() || u.email) body.email = c.email.value;
    if (c.unlimited.checked) body.unlimited = true;
    else if (c.capacity.value === '') return showError(form, st, new Error(t('app.settings.users.capacityRequired')), aliases);
    else body.capacity = Number(c.capacity.value);
    try {
      if (creating) await api('POST', '/v1/users', { id: c.id.value.trim(), ...body });
      else await api('PATCH', '/v1/users/' + encodeURIComponent(u.id), body);
      saved(st);
      await ctx.redraw('users', 'teams', 'routing', 'channels');
    } catch (err) { showError(form, st, err, aliases); }
  };
  return form;
}

// hoursText is a short line of a user's working hours ("Monday 09:00–12:00, 13:00–17:00").
function hoursText(u) {
  if (!u.workingHours || !u.workingHours.length) return t('app.settings.users.anyTime');
  const by = new Map();
  for (const r of u.workingHours) by.set(r.day, [...(by.get(r.day) || []), r.start + '–' + r.end]);
  return [...by].map(([d, rs]) => dayName(d) + ' ' + rs.join(', ')).join('; ') + (u.timeZone ? ' (' + u.timeZone + ')' : '');
}

export default {
  id: 'users', title: () => t('app.settings.users.title'),
  render(ctx) {
    const seats = ctx.users.filter(u => u.paidSeat).length;
    const head = [t('app.settings.users.name'), t('app.settings.users.role'), t('app.settings.users.seat'), t('app.settings.users.load'),
      t('app.settings.users.available'), t('app.settings.users.hours')];
    const rows = ctx.users.flatMap(u => {
      const edit = h('tr', { id: 'user-edit-' + u.id, hidden: true }, h('td', { colspan: 6 }, userForm(u, ctx, false)));
      const btn = h('button', { type: 'button', class: 'link', id: 'user-open-' + u.id, 'aria-expanded': 'false', 'aria-controls': edit.id, text: u.name || u.id });
      btn.onclick = () => { edit.hidden = !edit.hidden; btn.setAttribute('aria-expanded', String(!edit.hidden)); };
      return [h('tr', { id: 'user-row-' + u.id },
      h('td', {}, btn),
      h('td', { text: u.role === 'admin' ? t('app.settings.users.admin') : t('app.settings.users.agent') }),
      h('td', { text: u.paidSeat ? t('app.settings.users.paid') : '—' }),
      h('td', { class: 'load', text: u.capacity == null ? t('app.settings.users.loadUnlimited', { load: u.load || 0 }) : t('app.settings.users.loadOf', { load: u.load || 0, capacity: u.capacity }) }),
      h('td', { text: u.available ? t('app.settings.yes') : t('app.settings.no') }),
      h('td', { text: hoursText(u) })), edit];
    });
    return h('div', {},
      h('p', { id: 'seats', text: t('app.settings.users.seats', { seats, users: ctx.users.length }) }),
      h('table', {}, h('thead', {}, h('tr', {}, head.map(x => h('th', { scope: 'col', text: x })))), h('tbody', {}, rows)),
      h('details', { id: 'user-new' }, h('summary', { text: t('app.settings.users.add') }), userForm({}, ctx, true)));
  },
};
