// Settings: the account's inboxes.
import { h, S } from '../core.js';

export default {
  id: 'inboxes', title: 'Inboxes',
  render: () => h('ul', {}, S.inboxes.map(ib => h('li', { text: ib.name }))),
};
