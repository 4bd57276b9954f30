// The team's saved replies in the composer: a button, or "/" typed at the start of the box, opens
// a list filtered by what follows the "/"; arrow keys move, Enter or a click inserts the text
// (with {contact.name}, {contact.firstName} and {agent.name} filled in), Escape closes. The
// textarea keeps the focus and points at the active option (aria-activedescendant).
import { h, S, api } from './core.js';
import { t } from './i18n.js';

let cache = null;

// loadSavedReplies reads the team's saved replies once (again after forgetSavedReplies).
export async function loadSavedReplies() {
  if (!cache) cache = api('GET', '/v1/saved-replies').then(r => r.items).catch(e => { cache = null; throw e; });
  return cache;
}

// forgetSavedReplies drops the cached list (settings changed it).
export function forgetSavedReplies() { cache = null; }

// fill replaces the variables of text for conversation c and the signed-in agent.
export function fill(text, c) {
  const name = (c && c.contact && c.contact.name) || '';
  const vars = { 'contact.name': name, 'contact.firstName': name.split(/[\s,]+/).filter(Boolean)[name.includes(',') ? 1 : 0] || name, 'agent.name': (S.me && S.me.name) || '' };
  return text.replace(/\{(contact\.name|contact\.firstName|agent\.name)\}/g, (_, k) => vars[k]);
}

// savedReplies wires the picker to textarea ta of conversation c and returns its button and
// list, for the composer's bar.
export function savedReplies(ta, c) {
  const list = h('ul', { id: 'saved-replies', class: 'picker', role: 'listbox', 'aria-label': t('app.savedReplies.label'), hidden: true });
  const btn = h('button', { type: 'button', id: 'saved-replies-btn', 'aria-haspopup': 'listbox', 'aria-controls': 'saved-replies', 'aria-expanded': 'false',
    title: t('app.savedReplies.hint'), text: t('app.savedReplies.button') });
  ta.setAttribute('aria-autocomplete', 'list');
  let shown = [], active = 0, bySlash = false;

  const close = () => {
    list.hidden = true; btn.setAttribute('aria-expanded', 'false');
    ta.removeAttribute('aria-activedescendant'); ta.removeAttribute('aria-controls');
  };
  const draw = () => {
    list.replaceChildren(...shown.map((r, i) => h('li', { id: 'sr-opt-' + r.id, role: 'option', class: 'opt', 'aria-selected': String(i === active),
      'data-shortcut': r.shortcut, onmousedown: e => { e.preventDefault(); insert(r); } },
      h('strong', { text: '/' + r.shortcut }), ' ', h('span', { text: r.name }), h('span', { class: 'muted preview', text: r.text }))));
    if (!shown.length) list.append(h('li', { class: 'muted', role: 'option', 'aria-disabled': 'true', id: 'sr-none', text: t('app.savedReplies.none') }));
    const cur = shown[active];
    ta.setAttribute('aria-controls', 'saved-replies');
    if (cur) { ta.setAttribute('aria-activedescendant', 'sr-opt-' + cur.id); list.querySelector('#sr-opt-' + CSS.escape(cur.id)).scrollIntoView({ block: 'nearest' }); }
    else ta.removeAttribute('aria-activedescendant');
  };
  const open = async (query, slash) => {
    let all;
    try { all = await loadSavedReplies(); } catch { all = []; }
    const q = query.toLowerCase();
    shown = all.filter(r => (!r.inboxId || r.inboxId === c.inboxId) &&
      (!q || r.shortcut.startsWith(q) || r.name.toLowerCase().includes(q)))
      .sort((a, b) => a.shortcut.localeCompare(b.shortcut));
    active = 0; bySlash = slash;
    list.hidden = false; btn.setAttribute('aria-expanded', 'true');
    draw();
  };
  const insert = r => {
    const text = fill(r.text, c);
    if (bySlash) {
      // Replace the "/shortcut" typed at the start.
      const end = ta.value.search(/\s|$/);
      ta.value = text + ta.value.slice(end);
      ta.setSelectionRange(text.length, text.length);
    } else {
      const at = ta.selectionStart ?? ta.value.length;
      ta.value = ta.value.slice(0, at) + text + ta.value.slice(ta.selectionEnd ?? at);
      ta.setSelectionRange(at + text.length, at + text.length);
    }
    close(); ta.focus();
    ta.dispatchEvent(new Event('input'));
  };

  // "/" at the start of the box: the word typed after it filters the list.
  ta.addEventListener('input', () => {
    const m = /^\/(\S*)$/.exec(ta.value.slice(0, ta.selectionStart));
    if (m && /^\/\S*(\s|$)/.test(ta.value)) open(m[1], true);
    else if (bySlash && !list.hidden) close();
  });
  ta.addEventListener('keydown', e => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (shown.length) { active = (active + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length; draw(); }
    } else if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && shown[active]) {
      e.preventDefault(); e.stopImmediatePropagation(); swallow = true; insert(shown[active]);
    } else if (e.key === 'Escape') {
      e.preventDefault(); e.stopPropagation(); close();
    } else if (e.key === 'Tab') close();
  });
  // The Enter that inserted is no line break, also where its character arrives apart from the
  // keydown (remote keyboards, DevTools' input).
  let swallow = false;
  ta.addEventListener('beforeinput', e => { if (swallow && /^insert(LineBreak|Paragraph)$/.test(e.inputType)) e.preventDefault(); swallow = false; });
  ta.addEventListener('keyup', () => { swallow = false; });
  ta.addEventListener('blur', e => { if (e.relatedTarget !== btn) close(); });
  btn.addEventListener('click', () => { if (list.hidden) { open('', false); ta.focus(); } else close(); });
  return h('span', { class: 'saved-replies' }, btn, list);
}
