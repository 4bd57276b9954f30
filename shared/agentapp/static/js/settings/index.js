// The admin settings screen: one section per module (settings/<name>.js), drawn in order. A
// section is { id, title, render(ctx) → Node | Promise<Node> }; ctx holds what several sections
// read (inboxes, channels, users, teams), fetched once per visit, and ctx.redraw(...ids)
// fetches them again and draws those sections anew (all without ids) after a save. Agents are
// refused (the API refuses them too).
import { $, h, S, api } from '../core.js';
import { t } from '../i18n.js';
import inboxes from './inboxes.js';
import channels from './channels.js';
import routing from './routing.js';
import users from './users.js';
import teams from './teams.js';
import savedreplies from './savedreplies.js';

// sections are drawn in this order; add a section by adding its module here.
const sections = [inboxes, channels, routing, users, teams, savedreplies];

async function load(ctx) {
  const [ibs, chs, us, ts] = await Promise.all([api('GET', '/v1/inboxes'), api('GET', '/v1/channels'), api('GET', '/v1/users'),
    api('GET', '/v1/teams').catch(() => ({ items: [] }))]);
  Object.assign(ctx, { inboxes: ibs.items, channels: chs.items, users: us.items, teams: ts.items });
  S.inboxes = ibs.items; S.channels = chs.items; S.users = us.items;
}

async function draw(s, ctx) {
  const el = h('section', { id: 'settings-' + s.id, 'aria-labelledby': 'settings-' + s.id + '-title' },
    h('h3', { id: 'settings-' + s.id + '-title', text: s.title() }), await s.render(ctx));
  const old = $('#settings-' + s.id);
  if (old) old.replaceWith(el); else $('#settings').append(el);
}

// showSettings draws the settings screen.
export async function showSettings() {
  const sec = $('#settings'); sec.hidden = false; $('.cols').hidden = true; sec.replaceChildren();
  sec.append(h('h2', { id: 'settings-title', text: t('app.settings.title') }), h('p', {}, h('a', { href: '#/mine', text: t('app.settings.back') })));
  if (S.me.role !== 'admin') { sec.append(h('p', { class: 'error', role: 'alert', id: 'settings-denied', text: t('app.settings.denied') })); return; }
  const ctx = {};
  ctx.redraw = async (...ids) => {
    await load(ctx);
    for (const s of sections) if (!ids.length || ids.includes(s.id)) await draw(s, ctx);
  };
  await load(ctx);
  for (const s of sections) await draw(s, ctx);
}
