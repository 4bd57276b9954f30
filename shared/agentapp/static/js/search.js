// The search box finds conversations on the server too (GET /v1/conversations?q=): by any word
// of the contact's name (case and accents ignored), an email address or a phone number, in
// every status and inbox. The loaded list is still filtered at once as the agent types; the
// server's finds are added below it when they arrive. Enter in the box opens the first row.
import { $, h, S, api } from './core.js';
import { t, plural } from './i18n.js';
import { open } from './thread.js';

let timer = 0, asked = '';

// found adds the server's finds for the box's current text to the locally filtered rows
// (the channel filter applies to them too).
export function found(local, ch) {
  const q = $('#search').value.trim();
  if (!q || !S.found || S.found.q !== q) return local;
  const have = new Set(local.map(c => c.id));
  return local.concat(S.found.items.filter(c => !have.has(c.id) && (!ch || c.channel.type === ch)));
}

// wireSearch asks the server a moment after the agent stops typing, then redraws with render.
export function wireSearch(render) {
  const box = $('#search');
  const st = h('span', { id: 'search-status', class: 'sr-only', role: 'status' });
  box.after(st);
  box.addEventListener('input', () => {
    render();
    clearTimeout(timer);
    const q = box.value.trim();
    if (q.replace(/[^\p{L}\p{N}]/gu, '').length < 2) { S.found = null; st.textContent = ''; return; }
    timer = setTimeout(() => ask(q, render, st), 250);
  });
  box.addEventListener('keydown', e => {
    if (e.key === 'Enter' && S.shown && S.shown.length) { e.preventDefault(); open(S.shown[0].id); }
  });
}

async function ask(q, render, st) {
  asked = q;
  let items;
  try { items = (await api('GET', '/v1/conversations?q=' + encodeURIComponent(q))).items; } catch { items = []; }
  // An answer to an older text than the box's is dropped.
  if (asked !== q || $('#search').value.trim() !== q) return;
  S.found = { q, items };
  render();
  st.textContent = plural('app.search.found', (S.shown || []).length);
}
