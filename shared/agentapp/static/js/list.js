// The views (mine, unassigned, all, queue, closed, spam, per inbox) and the conversation list.
import { $, h, S, api, userName } from './core.js';
import { noteUnread } from './unread.js';
import { open } from './thread.js';
import { t, ago, channelLabel } from './i18n.js';
import { found } from './search.js';

const VIEWS = ['mine', 'unassigned', 'all', 'queue', 'closed', 'spam'];

// renderViews draws the view links, the current one marked.
export function renderViews() {
  const ul = $('#views'); ul.replaceChildren();
  const link = (key, label, extra = {}) => h('li', {}, h('a', { href: '#/' + key + (extra.id ? '/' + extra.id : ''), 'aria-current': isView(key, extra.id) ? 'page' : false, text: label }));
  VIEWS.forEach(k => ul.append(link(k, t('app.view.' + k))));
  if (S.inboxes.length) ul.append(h('li', { class: 'group', text: t('app.view.inboxes') }), ...S.inboxes.map(ib => link('inbox', ib.name, { id: ib.id })));
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
// refreshListSoon reloads the list once a burst of events has settled.
export function refreshListSoon() { clearTimeout(listTimer); listTimer = setTimeout(loadList, 150); }

// listLoads counts loadList's calls, so that only the latest one draws.
let listLoads = 0;
// loadList reads the current view's conversations and draws them.
export async function loadList() {
  const load = ++listLoads;
  let items;
  if (S.view.key === 'queue') {
    const q = await api('GET', '/v1/queue');
    items = [...q.assigned, ...q.waiting];
  } else {
    items = (await api('GET', '/v1/conversations' + viewQuery() + '&limit=100')).items;
  }
  // A later load (another view picked, or an event) owns the list: an answer that comes back
  // after it is of a view no longer shown, or older than what is shown.
  if (load !== listLoads) return;
  S.convs = items;
  noteUnread(items);
  renderList();
}


// renderList draws the loaded conversations through the search and channel filters.
export function renderList() {
  const q = $('#search').value.trim().toLowerCase(), ch = $('#channel-filter').value;
  const shown = found(S.convs.filter(c => (!ch || c.channel.type === ch) &&
    (!q || [c.contact.name, c.contact.email, c.contact.phone].some(x => x && x.toLowerCase().includes(q)))), ch);
  const ul = $('#conversations'); ul.replaceChildren();
  shown.forEach(c => {
    const unread = S.unread.has(c.id) && !(S.selected && S.selected.id === c.id);
    const li = h('li', { class: 'row' + (unread ? ' unread' : ''), role: 'option', id: 'row-' + c.id, 'data-id': c.id,
      'aria-selected': S.selected && S.selected.id === c.id ? 'true' : 'false', onclick: () => open(c.id) },
      h('span', { class: 'name', text: c.contact.name || c.contact.phone || c.contact.email || t('app.list.unknown') }),
      h('span', { class: 'meta', text: ago(c.lastMessageAt) }),
      h('span', { class: 'preview', text: c.preview || '' }),
      h('span', { class: 'meta' }, h('span', { class: 'chip', text: channelLabel(c.channel.type) }), c.assignee ? t('app.list.assignedTo', { name: userName(c.assignee) }) : t('app.list.unassigned'), unread ? h('span', { class: 'sr-only', text: t('app.list.unread') }) : null));
    ul.append(li);
  });
  $('#list-empty').hidden = shown.length > 0;
  S.shown = shown;
}
