// The open conversation: its header actions, its messages with delivery state, and the contact.
import { $, h, S, api, userName } from './core.js';
import { setRead, noteUnread } from './unread.js';
import { renderList, refreshListSoon } from './list.js';
import { composer } from './composer.js';
import { t, has, dateTime, errorText, channelLabel, fileSize } from './i18n.js';
import { ticketPanel } from './ticket.js';
import { templateText } from './templates.js';

// opens counts open's calls, so that only the latest one draws.
let opens = 0;

// open reads conversation id and its messages and shows them.
export async function open(id) {
  const load = ++opens;
  // Opening reads it: the marker is set by the same call that returns the conversation.
  const [c, msgs] = await Promise.all([setRead(id, true), api('GET', '/v1/conversations/' + id + '/messages')]);
  // The agent moved on (j / k through the list, another click) while this answer came: the
  // later open draws, or the thread and its composer would be another conversation's than the
  // one picked in the list.
  if (load !== opens) return;
  S.selected = c; S.messages = msgs.items;
  S.active = (S.shown || []).findIndex(x => x.id === id);
  renderList(); renderThread(); renderSide();
}

// state is an outbound message's delivery state in words (the API's word when the catalogue
// has none).
const state = s => (!s || s === 'received' ? '' : has('app.state.' + s) ? t('app.state.' + s) : s);

// message draws one message of the thread: the contact's (in), the team's replies (out) with
// their delivery state, and internal notes (note) with their author.
function message(m) {
  // The API says `in` (from the contact), `out` (from the team) or `note` (internal).
  const st = m.direction === 'out' ? state(m.status) : '';
  const note = m.direction === 'note';
  return h('li', { class: 'msg ' + m.direction, 'data-id': m.id, 'data-status': m.status || '' },
    note ? h('span', { class: 'who', text: t('app.thread.noteBy', { name: m.authorName || userName(m.authorId) }) }) : null,
    m.html ? h('iframe', { sandbox: '', title: t('app.thread.email', { subject: m.subject || '' }), srcdoc: m.html }) : (m.text || (m.template ? templateText(m.template) : m.call ? t('app.thread.call') : '')),
    (m.attachments || []).map(a => h('div', {}, h('a', { href: a.url || '#', target: '_blank', rel: 'noopener',
      text: (a.name || a.contentType || t('app.thread.attachment')) + (a.size ? ' (' + fileSize(a.size) + ')' : '') }))),
    h('span', { class: 'state' + (m.status === 'failed' ? ' failed' : '') },
      dateTime(m.createdAt) + (st ? ' · ' + st : '') + (m.error ? ' — ' + (m.error.message || m.error.code) : '')),
    // A reply whose text went before its file failed (sentParts) is not offered again: the
    // customer has the text, and sending it again would repeat it.
    m.status === 'failed' && !m.sentParts ? h('button', { type: 'button', class: 'retry', onclick: e => retry(m, e.currentTarget), text: t('app.thread.retry') }) : null);
}

// retry sends a failed reply again as it was, its own files included (the API resends the same
// message); the thread then shows it pending, and sent or delivered as the live events come.
async function retry(m, button) {
  button.disabled = true; // a double click queues it once anyway (the API answers 409)
  try {
    await api('POST', '/v1/conversations/' + S.selected.id + '/messages/' + encodeURIComponent(m.id) + '/retry');
    await reloadThread();
  } catch (e) { button.disabled = false; alertError(e); }
}

// renderThread draws the open conversation (or the empty state).
export function renderThread() {
  const c = S.selected, main = $('#thread'); main.replaceChildren();
  if (!c) { main.append(h('p', { class: 'muted pad', text: t('app.thread.none') })); return; }
  const assign = h('select', { id: 'assign', 'aria-label': t('app.thread.assignee') }, h('option', { value: '', text: t('app.thread.unassigned') }),
    S.users.map(u => h('option', { value: u.id, text: u.name || u.id, selected: c.assignee === u.id })));
  assign.onchange = () => act({ assignee: assign.value || null });
  const closed = c.status !== 'open';
  main.append(h('div', { class: 'thead' },
    h('h2', { id: 'thread-title', text: c.contact.name || c.contact.phone || c.contact.email || t('app.thread.untitled') }),
    h('span', { class: 'chip', text: channelLabel(c.channel.type) }), h('span', { class: 'chip', id: 'thread-status', 'data-status': c.status, text: has('app.status.' + c.status) ? t('app.status.' + c.status) : c.status }),
    assign,
    h('button', { type: 'button', id: 'close-btn', onclick: () => act({ status: closed ? 'open' : 'closed' }), text: closed ? t('app.thread.reopen') : t('app.thread.close') }),
    h('button', { type: 'button', id: 'unread-btn', onclick: markUnread, text: t('app.thread.markUnread') })));
  const ol = h('ol', { class: 'msgs', id: 'messages', 'aria-label': t('app.thread.messages'), 'aria-live': 'polite' }, S.messages.map(message));
  main.append(ol, h('div', { class: 'typing', id: 'typing', 'aria-live': 'polite' }), composer(c));
  ol.scrollTop = ol.scrollHeight;
}

// renderSide draws the contact (and ticket) beside the thread.
export function renderSide() {
  const c = S.selected, side = $('#side'); side.replaceChildren();
  if (!c) return;
  side.append(h('h2', { text: t('app.contact') }), h('dl', {},
    h('dt', { text: t('app.contact.name') }), h('dd', { text: c.contact.name || '—' }),
    h('dt', { text: t('app.contact.phone') }), h('dd', { text: c.contact.phone || '—' }),
    h('dt', { text: t('app.contact.email') }), h('dd', { text: c.contact.email || '—' }),
    h('dt', { text: t('app.contact.assignee') }), h('dd', { text: c.assignee ? userName(c.assignee) : t('app.thread.unassigned') })),
    ticketPanel(c));
}

// act applies a change (assignee, status) to the open conversation.
export async function act(patch) {
  try {
    S.selected = await api('PATCH', '/v1/conversations/' + S.selected.id, patch);
    renderThread(); renderSide(); refreshListSoon();
  } catch (e) { alertError(e); }
}

// markUnread marks the open conversation unread for me (on the server) and closes it.
export async function markUnread() {
  if (!S.selected) return;
  try { await setRead(S.selected.id, false); } catch (e) { alertError(e); return; }
  S.selected = null; renderThread(); renderSide(); renderList();
}

// reloadThread re-reads the open conversation, keeping the composer's draft and focus.
export async function reloadThread() {
  if (!S.selected) return;
  const id = S.selected.id;
  const [c, msgs] = await Promise.all([api('GET', '/v1/conversations/' + id), api('GET', '/v1/conversations/' + id + '/messages')]);
  if (!S.selected || S.selected.id !== id) return;
  // A change that shows nothing new here (a read marker, mine or another agent's: they change
  // neither the conversation's version nor a message) leaves the thread and the composer as
  // they are, so that a template, saved reply or file being chosen is not redrawn away.
  const shown = ms => ms.map(m => m.id + ' ' + m.status + ' ' + m.updatedAt).join('\n');
  if (c.version === S.selected.version && shown(msgs.items) === shown(S.messages || [])) {
    S.selected = c; noteUnread([c]); renderList(); reloaded(); return;
  }
  const draft = $('#composer') ? $('#composer').value : '', focused = document.activeElement && document.activeElement.id === 'composer';
  S.selected = c; S.messages = msgs.items; renderThread(); renderSide();
  if ($('#composer')) { $('#composer').value = draft; if (focused) $('#composer').focus(); }
  // Something new arrived while it was open: I have seen it.
  if (c.unread) { S.selected = await setRead(id, true).catch(() => S.selected); }
  noteUnread([S.selected]); renderList(); reloaded();
}

// reloaded counts the open thread's re-reads on the page (data-thread-reloads): tests wait for
// a live event's re-read to be done by it.
function reloaded() { document.body.dataset.threadReloads = (+document.body.dataset.threadReloads || 0) + 1; }

// alertError shows an error where the composer reports them.
export function alertError(e) { const el = $('#send-error'); if (el) el.textContent = errorText(e); }
