// Unread state, kept by the API per user: lists and conversations carry `unread` for the caller,
// and PUT /v1/conversations/{id}/read sets the caller's marker. S.unread holds the ids this
// browser knows to be unread (from lists it loaded and live events since), for the tab title.
import { S, api } from './core.js';
import { t, number } from './i18n.js';

// noteUnread records what a list or conversation from the API says about its unread state.
export function noteUnread(convs) {
  for (const c of convs) { if (c.unread) S.unread.add(c.id); else S.unread.delete(c.id); }
  updateTitle();
}

// setRead marks conversation id read (or unread) for me and returns it as the API now shows it.
export async function setRead(id, read) {
  const c = await api('PUT', '/v1/conversations/' + id + '/read', { read });
  noteUnread([c]);
  return c;
}

// updateTitle puts the unread count in the tab title.
export function updateTitle() {
  const n = S.unread.size;
  document.title = n ? t('app.titleUnread', { count: number(n) }) : t('app.title');
}
