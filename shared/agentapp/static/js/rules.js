// The reply rules of a conversation's channel as the composer shows them: what can be sent now
// and until when — WhatsApp's 24-hour customer service window (then templates only), Messenger's
// standard window and its HUMAN_AGENT tag up to 7 days (then nothing) — counted from the
// contact's last message as the API counts them (openapi.yaml, the reply operation).
import { S } from './core.js';
import { t, language, dateTime } from './i18n.js';

const HOUR = 3600e3, DAY = 24 * HOUR;

// lastInbound is when the contact last wrote, in ms (0 when never), from the thread's messages.
export function lastInbound(msgs = S.messages) {
  let last = 0;
  for (const m of msgs) if (m.direction === 'in') last = Math.max(last, new Date(m.createdAt).getTime());
  return last;
}

// relative is how far from now time d (ms) is, in the language's words: "in 5 hours", "om 2 dage".
export function relative(d, now = Date.now()) {
  const ms = d - now, abs = Math.abs(ms);
  const [v, unit] = abs < HOUR ? [Math.round(ms / 60e3), 'minute'] : abs < 2 * DAY ? [Math.round(ms / HOUR), 'hour'] : [Math.round(ms / DAY), 'day'];
  return new Intl.RelativeTimeFormat(language(), { numeric: 'auto' }).format(v, unit);
}

// rules says what conversation c's channel allows now: text (the notice), warn (outside the
// normal window), blocked (no reply can be sent) and template (only a WhatsApp template can).
export function rules(c, now = Date.now()) {
  const last = lastInbound(), age = last ? now - last : Infinity;
  switch (c.channel.type) {
    case 'whatsapp':
      if (age < DAY) return { text: t('app.rules.whatsappOpen', { until: relative(last + DAY, now) }) };
      return { text: t('app.rules.whatsappClosed'), warn: true, template: true };
    case 'messenger':
      if (age < DAY) return { text: t('app.rules.messengerOpen', { until: relative(last + DAY, now) }) };
      if (age < 7 * DAY) return { text: t('app.rules.messengerTag', { date: dateTime(last + 7 * DAY), until: relative(last + 7 * DAY, now) }), warn: true };
      return { text: t(last ? 'app.rules.messengerExpired' : 'app.rules.messengerNever'), warn: true, blocked: true };
    case 'email': return { text: t('app.rules.email') };
    case 'sms': return { text: t('app.rules.sms') };
    default: return { text: '' };
  }
}
