// The admin settings screen: one section per module (settings/<name>.js), drawn in order. A
// section is { id, title, render(ctx) → Node | Promise<Node> }; ctx holds what several sections
// read (channels, users, teams), fetched once per visit. Agents are refused (the API refuses
// them too).
import { $, h, S, api } from '../core.js';
import inboxes from './inboxes.js';
import routing from './routing.js';
import users from './users.js';
import teams from './teams.js';

// sections are drawn in this order; add a section by adding its module here.
const sections = [inboxes, routing, users, teams];

// showSettings draws the settings screen.
export async function showSettings() {
  const sec = $('#settings'); sec.hidden = false; $('.cols').hidden = true; sec.replaceChildren();
  sec.append(h('h2', { id: 'settings-title', text: 'Settings' }), h('p', {}, h('a', { href: '#/mine', text: '← Back to the inbox' })));
  if (S.me.role !== 'admin') { sec.append(h('p', { class: 'error', role: 'alert', id: 'settings-denied', text: 'Only admins can open settings.' })); return; }
  const [channels, us, ts] = await Promise.all([api('GET', '/v1/channels'), api('GET', '/v1/users'), api('GET', '/v1/teams').catch(() => ({ items: [] }))]);
  const ctx = { channels: channels.items, users: us.items, teams: ts.items };
  for (const s of sections) {
    sec.append(h('section', { id: 'settings-' + s.id, 'aria-labelledby': 'settings-' + s.id + '-title' },
      h('h3', { id: 'settings-' + s.id + '-title', text: s.title }), await s.render(ctx)));
  }
}
