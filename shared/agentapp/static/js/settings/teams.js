// Settings: the account's teams.
import { h } from '../core.js';

export default {
  id: 'teams', title: 'Teams',
  render: ({ teams }) => h('ul', {}, teams.map(t => h('li', { text: t.name }))),
};
