// The composer under the thread: the reply box or, switched to Note, an internal note for the
// team (never sent); the channel's rules made visible, and typing.
import { $, h, S, api } from './core.js';
import { reloadThread } from './thread.js';
import { t, errorText } from './i18n.js';
import { rules } from './rules.js';
import { attachBar, wireDrop, attached, clearAttachments } from './attachments.js';
import { templatePicker, sendTemplate } from './templates.js';
import { savedReplies } from './savedreplies.js';

// RULES_EVERY is how often the channel's notice is brought up to date as time passes (ms).
const RULES_EVERY = 30e3;
let ticking = 0;

// refreshRules brings the open conversation's channel notice up to date with the clock — "until
// in 5 hours" becomes "in 4 hours", a window that closes says so — in place: the composer is
// never redrawn for it, so a draft, a chosen template or saved reply and attached files stay. A
// reply that can no longer be sent at all (Messenger after 7 days) has its Send and text box
// disabled, the draft kept in it; a WhatsApp window that closes leaves the text box (the API
// refuses the reply, saying a template is needed) until the thread is opened again.
export function refreshRules() {
  const el = $('#rules'), c = S.selected;
  if (!el || !c || S.composeMode === 'note') return;
  const rule = rules(c);
  if (el.textContent !== rule.text) el.textContent = rule.text;
  el.classList.toggle('warn', !!rule.warn);
  if (rule.blocked && el.dataset.blocked !== 'true') {
    el.dataset.blocked = 'true';
    for (const id of ['send', 'composer']) { const b = $('#' + id); if (b) b.disabled = true; }
  }
}

// composer builds the reply/note form for conversation c, in mode S.composeMode.
export function composer(c) {
  // One timer for the page's life, started with the first composer.
  if (!ticking) ticking = setInterval(refreshRules, RULES_EVERY);
  const note = S.composeMode === 'note', closed = c.status !== 'open', rule = rules(c);
  // Notes can be written in closed conversations too; replies need it open, and a channel
  // whose window has ended (Messenger after 7 days) takes none.
  const off = (closed || rule.blocked) && !note;
  // Outside WhatsApp's window the template picker replaces free text.
  const tpl = rule.template && !note && !closed;
  const ta = h('textarea', { id: 'composer', 'aria-label': note ? t('app.composer.noteLabel') : t('app.composer.replyLabel'),
    placeholder: closed && !note ? t('app.composer.reopenToReply') : off ? t('app.composer.cannotReply') : note ? t('app.composer.notePlaceholder') : t('app.composer.replyPlaceholder'), disabled: off });
  if (!note) ta.addEventListener('input', typing);
  ta.addEventListener('keydown', e => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(ta.value); } });
  const modeBtn = (mode, label) => h('button', { type: 'button', id: 'compose-' + mode, 'aria-pressed': String(S.composeMode === mode),
    onclick: () => setMode(mode, true), text: label });
  const form = h('form', { class: 'composer' + (note ? ' note' : ''), id: 'composer-form', 'aria-label': t('app.composer.label'), onsubmit: e => { e.preventDefault(); if (tpl) sendTemplate(); else send(ta.value); } },
    h('div', { class: 'bar', role: 'group', 'aria-label': t('app.composer.mode') }, modeBtn('reply', t('app.composer.reply')), modeBtn('note', t('app.composer.note')),
      h('span', { class: 'rules' + (rule.warn && !note ? ' warn' : ''), id: 'rules', 'data-blocked': String(!!rule.blocked), text: note ? t('app.composer.noteHint') : rule.text })),
    tpl ? templatePicker(c) : ta,
    h('div', { class: 'bar' }, h('button', { class: 'primary', type: 'submit', id: 'send', disabled: off, text: note ? t('app.composer.addNote') : t('app.composer.send') }),
      note || off || tpl ? null : attachBar(c),
      off || tpl ? null : savedReplies(ta, c),
      h('span', { id: 'send-error', class: 'error', role: 'alert' })));
  if (!note && !off && !tpl) wireDrop(form, ta);
  return form;
}

// setMode switches the composer between reply and note, keeping the draft (and focus when asked).
export function setMode(mode, focus) {
  S.composeMode = mode;
  const old = $('#composer-form');
  if (!old || !S.selected) return;
  const draft = $('#composer') ? $('#composer').value : '';
  old.replaceWith(composer(S.selected));
  // The template picker has no text box: focus goes to its first field.
  const ta = $('#composer');
  if (ta) ta.value = draft;
  if (focus) { const f = ta || $('#composer-form select, #composer-form input'); if (f) f.focus(); }
}

// send replies text (and the attached files) to the open conversation, or adds it as a note in
// note mode.
export async function send(text, mode = S.composeMode) {
  if (!S.selected) return;
  const note = mode === 'note', blank = !text || !text.trim();
  try {
    // A file that failed to upload says so (the agent removes it or attaches it again).
    const atts = note ? [] : await attached().catch(err => { $('#send-error').textContent = err.message; return null; });
    if (!atts || (blank && !atts.length)) return;
    const path = '/v1/conversations/' + S.selected.id + (note ? '/notes' : '/messages');
    // One reply, even where the provider takes its text and file as two messages (Messenger,
    // WhatsApp audio): the dispatcher sends them in turn and never sends the text twice.
    if (!atts.length) await api('POST', path, { text });
    else await api('POST', path, blank ? { attachments: atts } : { text, attachments: atts });
    if (atts.length) clearAttachments();
    const ta = $('#composer'); if (ta) ta.value = '';
    await reloadThread();
  } catch (e) { $('#send-error').textContent = errorText(e); }
}

// typing tells the others on this conversation that I am replying (at most every 3 s).
function typing() {
  const now = Date.now();
  if (S.ws && S.ws.readyState === 1 && now - S.typingAt > 3000 && S.selected) {
    S.typingAt = now; S.ws.send(JSON.stringify({ action: 'typing', conversationId: S.selected.id }));
  }
}
