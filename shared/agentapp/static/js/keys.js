// Keyboard-first work: j/k move, Enter opens, r reply, n note, a assign, c close/reopen,
// u unread, / search, g s settings, ? help, Esc leaves.
import { $, S } from './core.js';
import { open, act, markUnread } from './thread.js';
import { setMode } from './composer.js';

let lastKey = '';

// onKey handles one keydown on the document.
export function onKey(e) {
  const help = $('#help');
  if (e.key === 'Escape') { if (!help.hidden) toggleHelp(false); else if (e.target.blur) e.target.blur(); return; }
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) || e.ctrlKey || e.metaKey || e.altKey || $('#app').hidden) return;
  const k = e.key, list = S.shown || [];
  const move = d => {
    if (!list.length) return;
    S.active = Math.max(0, Math.min(list.length - 1, S.active + d));
    const row = $('#row-' + list[S.active].id);
    $('#conversations').setAttribute('aria-activedescendant', row.id); row.scrollIntoView({ block: 'nearest' }); open(list[S.active].id);
  };
  if (k === 'j') move(1); else if (k === 'k') move(-1);
  else if (k === 'Enter' && S.active >= 0 && list[S.active]) open(list[S.active].id);
  else if (k === 'r' || k === 'n') { e.preventDefault(); setMode(k === 'n' ? 'note' : 'reply', true); }
  else if (k === 'a') { const s = $('#assign'); if (s) { e.preventDefault(); s.focus(); } }
  else if (k === 'c' && S.selected) act({ status: S.selected.status === 'open' ? 'closed' : 'open' });
  else if (k === 'u') markUnread();
  else if (k === '/') { e.preventDefault(); $('#search').focus(); }
  else if (k === '?') toggleHelp(true);
  else if (k === 's' && lastKey === 'g') location.hash = '#/settings';
  lastKey = k;
}

// toggleHelp shows or hides the shortcuts overlay.
export function toggleHelp(on) { const help = $('#help'); help.hidden = !on; if (on) $('#help-close').focus(); }
