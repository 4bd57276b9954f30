// The agents' web app: plain ES modules (js/), no build step. It reads everything through /v1
// and listens to the live channel (WebSocket) for small notifications, catching up with
// /v1/events after a reconnect. This module starts it and routes #/<view>[/<id>] and #/settings.
import { $, h, S, api, hooks } from './js/core.js';
import { load, pick, t, has, number, channelLabel } from './js/i18n.js';
import { showSignIn, oauthFinish, signOut } from './js/signin.js';
import { renderViews, loadList, renderList } from './js/list.js';
import { alertError } from './js/thread.js';
import { connect } from './js/live.js';
import { showSettings } from './js/settings/index.js';
import { onKey, toggleHelp } from './js/keys.js';
import { wireSearch } from './js/search.js';

function route() {
  const [, key = 'mine', id] = location.hash.split('/');
  if (key === 'settings') return showSettings();
  $('#settings').hidden = true; $('.cols').hidden = false;
  S.view = { key, id }; renderViews(); loadList();
}

async function start() {
  S.cfg = await fetch('/app/config.json').then(r => r.json()).catch(() => ({}));
  const cfg = S.cfg;
  const q = new URLSearchParams(location.search);
  let failure;
  if ((q.get('code') || q.get('error')) && cfg.authorizeUrl) failure = await oauthFinish(cfg, q);
  if (!S.token) return showSignIn(start, failure);
  try { S.me = await api('GET', '/v1/me'); } catch { return; }
  S.fromIssuer = false;
  const [ibs, users, chs, mine] = await Promise.all([api('GET', '/v1/inboxes'), api('GET', '/v1/users').catch(() => ({ items: [] })),
    api('GET', '/v1/channels'), api('GET', '/v1/users/me').catch(() => null)]);
  S.inboxes = ibs.items; S.users = users.items; S.channels = chs.items;
  const meUser = mine || S.users.find(u => u.id === S.me.userId);
  await load(pick(meUser && meUser.language, cfg.languages));
  languagePicker(meUser);
  $('#signin').hidden = true; $('#app').hidden = false;
  $('#who').textContent = S.me.userId + ' · ' + (has('app.role.' + S.me.role) ? t('app.role.' + S.me.role) : S.me.role);
  const types = [...new Set(S.channels.map(c => c.type))];
  $('#channel-filter').replaceChildren(h('option', { value: '', text: t('app.channel.all') }), ...types.map(ty => h('option', { value: ty, text: channelLabel(ty) })));
  const avail = $('#available');
  avail.checked = !!(meUser && meUser.available); avail.disabled = !meUser;
  avail.onchange = () => api('PATCH', '/v1/users/' + S.me.userId, { available: avail.checked }).catch(alertError);
  // The API's capacity is null for unlimited; load is how many open conversations are mine.
  if (meUser) $('#capacity').textContent = meUser.capacity == null ? t('app.capacity.unlimited')
    : t('app.capacity.of', { load: number(meUser.load || 0), capacity: number(meUser.capacity) });
  window.onhashchange = route; route(); connect(cfg);
}

// languagePicker offers the languages the app speaks (and the browser's) and saves the choice
// as the user's setting (PATCH /v1/users/me), then reloads in it.
function languagePicker(me) {
  const sel = $('#language');
  sel.replaceChildren(h('option', { value: '', text: t('app.language.browser') }),
    ...(S.cfg.languages || []).map(l => h('option', { value: l.tag, lang: l.tag, text: l.name })));
  sel.value = (me && me.language) || '';
  sel.disabled = !me;
  sel.onchange = async () => {
    try { await api('PATCH', '/v1/users/me', { language: sel.value }); location.reload(); } catch (e) { alertError(e); }
  };
}

hooks.signOut = refused => signOut(start, refused);
document.addEventListener('keydown', onKey);
wireSearch(renderList);
$('#channel-filter').addEventListener('change', renderList);
$('#signout').addEventListener('click', () => hooks.signOut());
$('#help-btn').addEventListener('click', () => toggleHelp(true));
$('#help-close').addEventListener('click', () => toggleHelp(false));
start();
