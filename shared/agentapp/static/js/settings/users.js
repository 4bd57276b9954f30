// Settings: the account's users, their role, seat, capacity and availability.
import { h } from '../core.js';

export default {
  id: 'users', title: 'Users',
  render: ({ users }) => h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'Role', 'Seat', 'Capacity', 'Available'].map(t => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, users.map(u => h('tr', {}, h('td', { text: u.name || u.id }), h('td', { text: u.role }), h('td', { text: u.paidSeat ? 'paid' : '—' }),
      h('td', { text: u.unlimited ? 'unlimited' : String(u.capacity ?? '') }), h('td', { text: u.available ? 'yes' : 'no' }))))),
};
