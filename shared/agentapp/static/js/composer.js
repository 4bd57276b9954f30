// The composer under the thread: the reply box, the channel's rules made visible, and typing.
import { $, h, S, api } from './core.js';
import { reloadThread } from './thread.js';
import { t, plural, errorText } from './i18n.js';

// composer builds the reply form for conversation c.
export function composer(c) {
  const closed = c.status !== 'open';
  const ta = h('textarea', { id: 'composer', 'aria-label': t('app.composer.reply'), placeholder: closed ? t('app.composer.closed') : t('app.composer.placeholder'), disabled: closed });
  ta.addEventListener('input', typing);
  ta.addEventListener('keydown', e => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(ta.value); } });
  return h('form', { class: 'composer', 'aria-label': t('app.composer'), onsubmit: e => { e.preventDefault(); send(ta.value); } },
    h('p', { class: 'rules', id: 'rules', text: rules(c) }), ta,
    h('div', { class: 'bar' }, h('button', { class: 'primary', type: 'submit', id: 'send', disabled: closed, text: t('app.composer.send') }),
      h('span', { id: 'send-error', class: 'error', role: 'alert' })));
}

// rules says what the channel allows right now (WhatsApp's window, Messenger's tag, …).
function rules(c) {
  const lastIn = [...S.messages].reverse().find(m => m.direction === 'in');
  const hours = lastIn ? (Date.now() - new Date(lastIn.createdAt)) / 3600e3 : Infinity;
  switch (c.channel.type) {
    case 'whatsapp': return hours < 24 ? plural('app.rules.whatsappOpen', Math.floor(24 - hours)) : t('app.rules.whatsappClosed');
    case 'messenger': return hours < 24 ? t('app.rules.messengerOpen') : t('app.rules.messengerTag');
    case 'email': return t('app.rules.email');
    case 'sms': return t('app.rules.sms');
    default: return '';
  }
}

// send replies text to the open conversation.
export async function send(text) {
  if (!text || !text.trim() || !S.selected) return;
  try {
    await api('POST', '/v1/conversations/' + S.selected.id + '/messages', { text });
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
