// The live channel: a WebSocket that brings small notifications (message, conversation,
// typing); after every (re)connect the app catches up with GET /v1/events?after=<cursor>.
import { $, S, api, userName } from './core.js';
import { updateTitle } from './unread.js';
import { t } from './i18n.js';
import { loadList, refreshListSoon } from './list.js';
import { reloadThread } from './thread.js';

let retry = 0, typingTimer = 0;

// connect opens the live channel (cfg.webSocketUrl, or /ws on this origin) and keeps it open.
export function connect(cfg) {
  const base = cfg.webSocketUrl || (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  const ws = new WebSocket(base + '?token=' + encodeURIComponent(S.token));
  S.ws = ws;
  ws.onopen = async () => {
    retry = 0; $('#live').textContent = t('app.live.on'); $('#live').classList.add('on');
    await catchUp();
  };
  ws.onmessage = e => {
    const f = JSON.parse(e.data);
    if (f.type === 'event') onEvent(f.event);
    if (f.type === 'typing' && S.selected && f.conversationId === S.selected.id && f.from !== S.me.userId) {
      $('#typing').textContent = t('app.typing', { name: f.from === 'visitor' ? t('app.typing.visitor') : userName(f.from) });
      clearTimeout(typingTimer); typingTimer = setTimeout(() => { const t = $('#typing'); if (t) t.textContent = ''; }, 5000);
    }
  };
  ws.onclose = () => {
    $('#live').textContent = t('app.live.reconnecting'); $('#live').classList.remove('on');
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

// onEvent applies one notification once (events are deduplicated by cursor).
function onEvent(ev) {
  if (ev.cursor) {
    if (S.seen.has(ev.cursor)) return;
    S.seen.add(ev.cursor);
    if (ev.cursor > S.cursor) { S.cursor = ev.cursor; sessionStorage.setItem('inbox.cursor', S.cursor); }
  }
  const sel = S.selected && S.selected.id === ev.conversationId;
  // A message in a conversation I am not looking at: unread until the list says otherwise.
  if (ev.kind === 'message' && !sel) { S.unread.add(ev.conversationId); updateTitle(); }
  if (sel) reloadThread();
  refreshListSoon();
}
