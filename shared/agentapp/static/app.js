// The agents' web app: plain modules, no build step. It reads everything through /v1 and listens
// to the live channel (WebSocket) for small notifications, catching up with /v1/events after a
// reconnect. See shared/agentapp's doc for what it covers.
const $ = (s, el = document) => el.querySelector(s);
const h = (tag, attrs = {}, ...kids) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat()) if (c != null) el.append(c);
  return el;
};

const S = {
  token: sessionStorage.getItem('inbox.token') || '',
  me: null, view: { key: 'mine' }, convs: [], selected: null, messages: [], users: [], inboxes: [], channels: [],
  cursor: sessionStorage.getItem('inbox.cursor') || '', seen: new Set(), unread: new Set(), ws: null, typingAt: 0,
  composeMode: 'reply', active: -1,
};

async function api(method, path, body) {
  const res = await fetch(path, {
    method, headers: { Authorization: 'Bearer ' + S.token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status === 401) { signOut(); throw new Error('signed out'); }
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error((data && data.error && data.error.message) || res.statusText);
  return data;
}

// ---- sign-in
async function showSignIn() {
  $('#app').hidden = true; $('#signin').hidden = false;
  const form = $('#signin-form'); form.replaceChildren();
  const cfg = await fetch('/app/config.json').then(r => r.json()).catch(() => ({}));
  if (cfg.localSignIn) {
    const users = await fetch(cfg.localSignIn).then(r => r.json());
    const sel = h('select', { id: 'signin-user' }, users.map(u => h('option', { value: u.id, text: `${u.name} (${u.role})` })));
    form.append(h('label', { for: 'signin-user', text: 'Demo user and role' }), sel,
      h('button', { class: 'primary', type: 'submit', text: 'Sign in' }));
    form.onsubmit = async e => {
      e.preventDefault();
      const r = await fetch(cfg.localSignIn, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: sel.value }) });
      const { token } = await r.json();
      S.token = token; sessionStorage.setItem('inbox.token', token); start();
    };
  } else if (cfg.authorizeUrl) {
    form.append(h('button', { class: 'primary', type: 'button', text: 'Sign in with your organisation', onclick: () => oauthStart(cfg) }));
  } else {
    form.append(h('p', { class: 'error', text: 'No sign-in is configured for this deployment.' }));
  }
}

const b64url = buf => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
async function oauthStart(cfg) {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem('inbox.pkce', JSON.stringify({ verifier, state }));
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const u = new URL(cfg.authorizeUrl);
  Object.entries({ response_type: 'code', client_id: cfg.clientId, redirect_uri: location.origin + '/app/', scope: 'openid email profile',
    state, code_challenge: challenge, code_challenge_method: 'S256' }).forEach(([k, v]) => u.searchParams.set(k, v));
  location.assign(u);
}
async function oauthFinish(cfg, code, state) {
  const saved = JSON.parse(sessionStorage.getItem('inbox.pkce') || '{}');
  sessionStorage.removeItem('inbox.pkce');
  if (!saved.state || saved.state !== state) throw new Error('sign-in state mismatch');
  const res = await fetch(cfg.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cfg.clientId, code, redirect_uri: location.origin + '/app/', code_verifier: saved.verifier }) });
  const tok = await res.json();
  if (!tok.id_token) throw new Error('no token');
  S.token = tok.id_token; sessionStorage.setItem('inbox.token', S.token);
  history.replaceState(null, '', '/app/');
}
function signOut() {
  sessionStorage.removeItem('inbox.token'); S.token = '';
  if (S.ws) { S.ws.onclose = null; S.ws.close(); }
  showSignIn();
}

// ---- views and list
function views() {
  const v = [['mine', 'Mine'], ['unassigned', 'Unassigned'], ['all', 'All open'], ['queue', 'My queue'], ['closed', 'Closed'], ['spam', 'Spam']];
  const ul = $('#views'); ul.replaceChildren();
  const link = (key, label, extra = {}) => h('li', {}, h('a', { href: '#/' + key + (extra.id ? '/' + extra.id : ''), 'aria-current': isView(key, extra.id) ? 'page' : false, text: label }));
  v.forEach(([k, l]) => ul.append(link(k, l)));
  if (S.inboxes.length) ul.append(h('li', { class: 'group', text: 'Inboxes' }), S.inboxes.map(ib => link('inbox', ib.name, { id: ib.id })));
}
const isView = (k, id) => S.view.key === k && (S.view.id || '') === (id || '');
function viewQuery() {
  switch (S.view.key) {
    case 'mine': return '?assignee=me&status=open';
    case 'unassigned': return '?assignee=none&status=open';
    case 'closed': return '?status=closed';
    case 'spam': return '?status=spam';
    case 'inbox': return '?inboxId=' + encodeURIComponent(S.view.id) + '&status=open';
    default: return '?status=open';
  }
}
let listTimer = 0;
function refreshListSoon() { clearTimeout(listTimer); listTimer = setTimeout(loadList, 150); }
async function loadList() {
  let items;
  if (S.view.key === 'queue') {
    const q = await api('GET', '/v1/queue');
    items = [...q.assigned, ...q.waiting];
  } else {
    items = (await api('GET', '/v1/conversations' + viewQuery() + '&limit=100')).items;
  }
  S.convs = items;
  renderList();
}
function waiting(c) {
  const m = Math.max(0, Math.round((Date.now() - new Date(c.lastMessageAt)) / 60000));
  return m < 60 ? m + ' min' : m < 1440 ? Math.round(m / 60) + ' h' : Math.round(m / 1440) + ' d';
}
const userName = id => (S.users.find(u => u.id === id) || {}).name || id;
function renderList() {
  const q = $('#search').value.trim().toLowerCase(), ch = $('#channel-filter').value;
  const shown = S.convs.filter(c => (!ch || c.channel.type === ch) &&
    (!q || [c.contact.name, c.contact.email, c.contact.phone].some(x => x && x.toLowerCase().includes(q))));
  const ul = $('#conversations'); ul.replaceChildren();
  shown.forEach((c, i) => {
    const unread = S.unread.has(c.id);
    const li = h('li', { class: 'row' + (unread ? ' unread' : ''), role: 'option', id: 'row-' + c.id, 'data-id': c.id,
      'aria-selected': S.selected && S.selected.id === c.id ? 'true' : 'false', onclick: () => open(c.id) },
      h('span', { class: 'name', text: c.contact.name || c.contact.phone || c.contact.email || 'Unknown' }),
      h('span', { class: 'meta', text: waiting(c) }),
      h('span', { class: 'preview', text: c.preview || '' }),
      h('span', { class: 'meta' }, h('span', { class: 'chip', text: c.channel.type }), c.assignee ? '→ ' + userName(c.assignee) : 'unassigned', unread ? h('span', { class: 'sr-only', text: ', unread' }) : null));
    ul.append(li);
  });
  $('#list-empty').hidden = shown.length > 0;
  S.shown = shown;
  updateTitle();
}
function updateTitle() {
  const n = S.unread.size;
  document.title = (n ? `(${n}) ` : '') + 'Inbox';
}

// ---- thread
async function open(id) {
  S.unread.delete(id); saveUnread();
  const [c, msgs] = await Promise.all([api('GET', '/v1/conversations/' + id), api('GET', '/v1/conversations/' + id + '/messages')]);
  S.selected = c; S.messages = msgs.items;
  S.active = (S.shown || []).findIndex(x => x.id === id);
  renderList(); renderThread(); renderSide();
}
const STATE = { queued: 'Sending', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Failed', received: '' };
function renderThread() {
  const c = S.selected, main = $('#thread'); main.replaceChildren();
  if (!c) { main.append(h('p', { class: 'muted pad', text: 'Select a conversation.' })); return; }
  const assign = h('select', { id: 'assign', 'aria-label': 'Assignee' }, h('option', { value: '', text: 'Unassigned' }),
    S.users.map(u => h('option', { value: u.id, text: u.name || u.id, selected: c.assignee === u.id })));
  assign.onchange = () => act({ assignee: assign.value || null });
  const closed = c.status !== 'open';
  main.append(h('div', { class: 'thead' },
    h('h2', { id: 'thread-title', text: c.contact.name || c.contact.phone || c.contact.email || 'Conversation' }),
    h('span', { class: 'chip', text: c.channel.type }), h('span', { class: 'chip', id: 'thread-status', text: c.status }),
    assign,
    h('button', { type: 'button', id: 'close-btn', onclick: () => act({ status: closed ? 'open' : 'closed' }), text: closed ? 'Reopen' : 'Close' }),
    h('button', { type: 'button', id: 'unread-btn', onclick: markUnread, text: 'Mark unread' })));
  const ol = h('ol', { class: 'msgs', id: 'messages', 'aria-label': 'Messages', 'aria-live': 'polite' });
  for (const m of S.messages) {
    const st = m.direction === 'outbound' ? (STATE[m.status] ?? m.status) : '';
    const li = h('li', { class: 'msg ' + m.direction, 'data-id': m.id, 'data-status': m.status || '' },
      m.html ? h('iframe', { sandbox: '', title: 'Email ' + (m.subject || ''), srcdoc: m.html }) : (m.text || (m.call ? 'Call' : '')),
      m.attachments.map(a => h('div', {}, h('a', { href: a.url || '#', target: '_blank', rel: 'noopener', text: a.name || a.contentType || 'attachment' }))),
      h('span', { class: 'state' + (m.status === 'failed' ? ' failed' : '') },
        new Date(m.createdAt).toLocaleString() + (st ? ' · ' + st : '') + (m.error ? ' — ' + (m.error.message || m.error.code) : '')),
      m.status === 'failed' ? h('button', { type: 'button', class: 'retry', onclick: () => send(m.text), text: 'Retry' }) : null);
    ol.append(li);
  }
  main.append(ol, h('div', { class: 'typing', id: 'typing', 'aria-live': 'polite' }));
  const ta = h('textarea', { id: 'composer', 'aria-label': 'Reply', placeholder: closed ? 'Reopen to reply' : 'Write a reply… (Ctrl+Enter sends)', disabled: closed });
  ta.addEventListener('input', typing);
  ta.addEventListener('keydown', e => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(ta.value); } });
  main.append(h('form', { class: 'composer', 'aria-label': 'Composer', onsubmit: e => { e.preventDefault(); send(ta.value); } },
    h('p', { class: 'rules', id: 'rules', text: rules(c) }), ta,
    h('div', { class: 'bar' }, h('button', { class: 'primary', type: 'submit', id: 'send', disabled: closed, text: 'Send' }),
      h('span', { id: 'send-error', class: 'error', role: 'alert' }))));
  ol.scrollTop = ol.scrollHeight;
}
function rules(c) {
  const lastIn = [...S.messages].reverse().find(m => m.direction === 'inbound');
  const hours = lastIn ? (Date.now() - new Date(lastIn.createdAt)) / 3600e3 : Infinity;
  switch (c.channel.type) {
    case 'whatsapp': return hours < 24 ? `WhatsApp: free-form replies for ${Math.floor(24 - hours)} more h` : 'WhatsApp: the 24-hour window is closed — only a template can be sent';
    case 'messenger': return hours < 24 ? 'Messenger: standard messaging window open' : 'Messenger: outside 24 h — sent with the human-agent tag (7 days)';
    case 'email': return 'Email: sent from the channel\'s address with your name and signature';
    case 'sms': return 'SMS: long replies are split into segments';
    default: return '';
  }
}
function renderSide() {
  const c = S.selected, side = $('#side'); side.replaceChildren();
  if (!c) return;
  side.append(h('h2', { text: 'Contact' }), h('dl', {},
    h('dt', { text: 'Name' }), h('dd', { text: c.contact.name || '—' }),
    h('dt', { text: 'Phone' }), h('dd', { text: c.contact.phone || '—' }),
    h('dt', { text: 'Email' }), h('dd', { text: c.contact.email || '—' }),
    h('dt', { text: 'Assignee' }), h('dd', { text: c.assignee ? userName(c.assignee) : 'Unassigned' }),
    c.ticketNotice ? [h('dt', { text: 'Ticket' }), h('dd', { text: c.ticketNotice })] : null));
}
async function act(patch) {
  try {
    S.selected = await api('PATCH', '/v1/conversations/' + S.selected.id, patch);
    renderThread(); renderSide(); refreshListSoon();
  } catch (e) { alertError(e); }
}
function markUnread() { if (!S.selected) return; S.unread.add(S.selected.id); saveUnread(); S.selected = null; renderThread(); renderList(); }
async function send(text) {
  if (!text || !text.trim() || !S.selected) return;
  try {
    await api('POST', '/v1/conversations/' + S.selected.id + '/messages', { text });
    const ta = $('#composer'); if (ta) ta.value = '';
    await reloadThread();
  } catch (e) { $('#send-error').textContent = e.message; }
}
async function reloadThread() {
  if (!S.selected) return;
  const id = S.selected.id;
  const [c, msgs] = await Promise.all([api('GET', '/v1/conversations/' + id), api('GET', '/v1/conversations/' + id + '/messages')]);
  if (!S.selected || S.selected.id !== id) return;
  const draft = $('#composer') ? $('#composer').value : '', focused = document.activeElement && document.activeElement.id === 'composer';
  S.selected = c; S.messages = msgs.items; renderThread(); renderSide();
  if ($('#composer')) { $('#composer').value = draft; if (focused) $('#composer').focus(); }
}
function alertError(e) { const el = $('#send-error'); if (el) el.textContent = e.message; }
function typing() {
  const now = Date.now();
  if (S.ws && S.ws.readyState === 1 && now - S.typingAt > 3000 && S.selected) {
    S.typingAt = now; S.ws.send(JSON.stringify({ action: 'typing', conversationId: S.selected.id }));
  }
}

// ---- unread state (kept in this browser, per user)
const unreadKey = () => 'inbox.unread.' + (S.me ? S.me.accountId + '.' + S.me.userId : '');
function loadUnread() { try { S.unread = new Set(JSON.parse(localStorage.getItem(unreadKey()) || '[]')); } catch { S.unread = new Set(); } }
function saveUnread() { localStorage.setItem(unreadKey(), JSON.stringify([...S.unread])); updateTitle(); }

// ---- live
let retry = 0, typingTimer = 0;
function connect(cfg) {
  const base = cfg.webSocketUrl || (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  const ws = new WebSocket(base + '?token=' + encodeURIComponent(S.token));
  S.ws = ws;
  ws.onopen = async () => {
    retry = 0; $('#live').textContent = 'live'; $('#live').classList.add('on');
    await catchUp();
  };
  ws.onmessage = e => {
    const f = JSON.parse(e.data);
    if (f.type === 'event') onEvent(f.event);
    if (f.type === 'typing' && S.selected && f.conversationId === S.selected.id && f.from !== S.me.userId) {
      $('#typing').textContent = (f.from === 'visitor' ? 'The visitor' : userName(f.from)) + ' is replying…';
      clearTimeout(typingTimer); typingTimer = setTimeout(() => { const t = $('#typing'); if (t) t.textContent = ''; }, 5000);
    }
  };
  ws.onclose = () => {
    $('#live').textContent = 'reconnecting'; $('#live').classList.remove('on');
    setTimeout(() => S.token && connect(cfg), Math.min(30000, 500 * 2 ** retry++));
  };
}
// The live keepalive: API Gateway closes connections idle for 10 minutes.
setInterval(() => { if (S.ws && S.ws.readyState === 1) S.ws.send('{"action":"ping"}'); }, 5 * 60e3);
async function catchUp() {
  if (!S.cursor) return loadList();
  // Publishers running side by side may interleave by moments: ask from ten seconds before.
  let after = rewind(S.cursor), more = true;
  while (more) {
    const r = await api('GET', '/v1/events?after=' + encodeURIComponent(after));
    r.events.forEach(onEvent); after = r.cursor; more = r.more;
  }
  loadList();
}
function rewind(cursor) {
  const t = Date.parse(cursor.slice(0, 27));
  return isNaN(t) ? cursor : new Date(t - 10000).toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
}
function onEvent(ev) {
  if (ev.cursor) {
    if (S.seen.has(ev.cursor)) return;
    S.seen.add(ev.cursor);
    if (ev.cursor > S.cursor) { S.cursor = ev.cursor; sessionStorage.setItem('inbox.cursor', S.cursor); }
  }
  const sel = S.selected && S.selected.id === ev.conversationId;
  if (ev.kind === 'message' && !sel) { S.unread.add(ev.conversationId); saveUnread(); }
  if (sel) reloadThread();
  refreshListSoon();
}

// ---- settings (admins)
async function showSettings() {
  const sec = $('#settings'); sec.hidden = false; $('.cols').hidden = true; sec.replaceChildren();
  sec.append(h('h2', { id: 'settings-title', text: 'Settings' }), h('p', {}, h('a', { href: '#/mine', text: '← Back to the inbox' })));
  if (S.me.role !== 'admin') { sec.append(h('p', { class: 'error', role: 'alert', id: 'settings-denied', text: 'Only admins can open settings.' })); return; }
  const [chs, users, teams] = await Promise.all([api('GET', '/v1/channels'), api('GET', '/v1/users'), api('GET', '/v1/teams').catch(() => ({ items: [] }))]);
  sec.append(h('h3', { text: 'Inboxes' }), h('ul', {}, S.inboxes.map(ib => h('li', { text: ib.name }))));
  sec.append(h('h3', { text: 'Channels and routing' }));
  const table = h('table', {}, h('thead', {}, h('tr', {}, ['Channel', 'Type', 'Routing'].map(t => h('th', { scope: 'col', text: t })))));
  const tb = h('tbody'); table.append(tb);
  for (const ch of chs.items) {
    const r = ch.routing || { autoAssign: false, target: 'users_and_teams', onlyAvailable: true };
    const auto = h('input', { type: 'checkbox', id: 'auto-' + ch.id, checked: !!r.autoAssign });
    const who = h('select', { id: 'route-' + ch.id, multiple: true, 'aria-label': 'Assign to' }, users.items.map(u => h('option', { value: u.id, selected: (r.userIds || []).includes(u.id), text: u.name || u.id })));
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
  sec.append(table, h('h3', { text: 'Users' }));
  sec.append(h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'Role', 'Seat', 'Capacity', 'Available'].map(t => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, users.items.map(u => h('tr', {}, h('td', { text: u.name || u.id }), h('td', { text: u.role }), h('td', { text: u.paidSeat ? 'paid' : '—' }),
      h('td', { text: u.unlimited ? 'unlimited' : String(u.capacity ?? '') }), h('td', { text: u.available ? 'yes' : 'no' }))))));
  sec.append(h('h3', { text: 'Teams' }), h('ul', {}, teams.items.map(t => h('li', { text: t.name }))));
}

// ---- routing (hash) and keys
function route() {
  const [, key = 'mine', id] = location.hash.split('/');
  if (key === 'settings') return showSettings();
  $('#settings').hidden = true; $('.cols').hidden = false;
  S.view = { key, id }; views(); loadList();
}
let lastKey = '';
document.addEventListener('keydown', e => {
  const help = $('#help');
  if (e.key === 'Escape') { if (!help.hidden) toggleHelp(false); else if (e.target.blur) e.target.blur(); return; }
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) || e.ctrlKey || e.metaKey || e.altKey || $('#app').hidden) return;
  const k = e.key, list = S.shown || [];
  const move = d => { if (!list.length) return; S.active = Math.max(0, Math.min(list.length - 1, S.active + d)); const row = $('#row-' + list[S.active].id); $('#conversations').setAttribute('aria-activedescendant', row.id); row.scrollIntoView({ block: 'nearest' }); open(list[S.active].id); };
  if (k === 'j') move(1); else if (k === 'k') move(-1);
  else if (k === 'Enter' && S.active >= 0 && list[S.active]) open(list[S.active].id);
  else if (k === 'r' || k === 'n') { S.composeMode = k === 'n' ? 'note' : 'reply'; const ta = $('#composer'); if (ta) { e.preventDefault(); ta.focus(); } }
  else if (k === 'a') { const s = $('#assign'); if (s) { e.preventDefault(); s.focus(); } }
  else if (k === 'c' && S.selected) act({ status: S.selected.status === 'open' ? 'closed' : 'open' });
  else if (k === 'u') markUnread();
  else if (k === '/') { e.preventDefault(); $('#search').focus(); }
  else if (k === '?') toggleHelp(true);
  else if (k === 's' && lastKey === 'g') location.hash = '#/settings';
  lastKey = k;
});
function toggleHelp(on) { const help = $('#help'); help.hidden = !on; if (on) $('#help-close').focus(); }

// ---- start
async function start() {
  const cfg = await fetch('/app/config.json').then(r => r.json()).catch(() => ({}));
  const q = new URLSearchParams(location.search);
  if (q.get('code') && cfg.authorizeUrl) { try { await oauthFinish(cfg, q.get('code'), q.get('state')); } catch (e) { console.error(e); } }
  if (!S.token) return showSignIn();
  try { S.me = await api('GET', '/v1/me'); } catch { return; }
  $('#signin').hidden = true; $('#app').hidden = false;
  loadUnread();
  $('#who').textContent = S.me.userId + ' · ' + S.me.role;
  const [ibs, users, chs] = await Promise.all([api('GET', '/v1/inboxes'), api('GET', '/v1/users').catch(() => ({ items: [] })), api('GET', '/v1/channels')]);
  S.inboxes = ibs.items; S.users = users.items; S.channels = chs.items;
  const types = [...new Set(S.channels.map(c => c.type))];
  $('#channel-filter').replaceChildren(h('option', { value: '', text: 'All channels' }), types.map(t => h('option', { value: t, text: t })));
  const meUser = S.users.find(u => u.id === S.me.userId);
  const avail = $('#available');
  avail.checked = !!(meUser && meUser.available); avail.disabled = !meUser;
  avail.onchange = () => api('PATCH', '/v1/users/' + S.me.userId, { available: avail.checked }).catch(alertError);
  if (meUser) $('#capacity').textContent = meUser.unlimited ? '' : 'capacity ' + (meUser.capacity ?? '—');
  window.onhashchange = route; route(); connect(cfg);
}
$('#search').addEventListener('input', renderList);
$('#channel-filter').addEventListener('change', renderList);
$('#signout').addEventListener('click', signOut);
$('#help-btn').addEventListener('click', () => toggleHelp(true));
$('#help-close').addEventListener('click', () => toggleHelp(false));
start();
