// Settings: each channel's routing rule (who gets its conversations), and chat embed codes.
import { h, api } from '../core.js';

export default {
  id: 'routing', title: 'Channels and routing',
  render({ channels, users }) {
    const table = h('table', {}, h('thead', {}, h('tr', {}, ['Channel', 'Type', 'Routing'].map(t => h('th', { scope: 'col', text: t })))));
    const tb = h('tbody'); table.append(tb);
    for (const ch of channels) {
      const r = ch.routing || { autoAssign: false, target: 'users_and_teams', onlyAvailable: true };
      const auto = h('input', { type: 'checkbox', id: 'auto-' + ch.id, checked: !!r.autoAssign });
      const who = h('select', { id: 'route-' + ch.id, multiple: true, 'aria-label': 'Assign to' }, users.map(u => h('option', { value: u.id, selected: (r.userIds || []).includes(u.id), text: u.name || u.id })));
      const save = h('button', { type: 'button', id: 'save-' + ch.id, text: 'Save rule' });
      const msg = h('span', { role: 'status', id: 'saved-' + ch.id });
      save.onclick = async () => {
        try {
          await api('PUT', '/v1/channels/' + ch.id + '/routing', { ...r, autoAssign: auto.checked, target: 'users_and_teams', userIds: [...who.selectedOptions].map(o => o.value), onlyAvailable: r.onlyAvailable ?? true });
          msg.textContent = 'Saved';
        } catch (e) { msg.textContent = e.message; }
      };
      tb.append(h('tr', {}, h('td', { text: ch.name }), h('td', { text: ch.type }),
        h('td', {}, h('label', { for: 'auto-' + ch.id }, auto, ' Assign automatically to '), who, ' ', save, ' ', msg)));
      if (ch.embedCode) tb.append(h('tr', {}, h('td', { colspan: 3 }, h('label', { text: 'Embed code ' }, h('code', { text: ch.embedCode })))));
    }
    return table;
  },
};
