// Unread state, kept in this browser per user.
import { S } from './core.js';
import { t, number } from './i18n.js';

const key = () => 'inbox.unread.' + (S.me ? S.me.accountId + '.' + S.me.userId : '');

// loadUnread reads the signed-in user's unread set.
export function loadUnread() { try { S.unread = new Set(JSON.parse(localStorage.getItem(key()) || '[]')); } catch { S.unread = new Set(); } }

// saveUnread stores it and updates the tab title's count.
export function saveUnread() { localStorage.setItem(key(), JSON.stringify([...S.unread])); updateTitle(); }

// updateTitle puts the unread count in the tab title.
export function updateTitle() {
  const n = S.unread.size;
  document.title = n ? t('app.titleUnread', { count: number(n) }) : t('app.title');
}
