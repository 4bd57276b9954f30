// The team email channel's From line and signature as a reply carries them, for a chosen user:
// the API renders them with the email sender's own code (GET /v1/channels/{id}/email-preview
// ?userId=), from the saved settings. The signature is shown in a sandboxed frame (no scripts).
import { h, api, S } from '../core.js';
import { t } from '../i18n.js';
import { field, choice } from './form.js';

export function emailPreview(ch, ctx) {
  const p = 'email-preview-' + ch.id;
  const who = choice(ctx.users.map(u => [u.id, u.name || u.id]), S.me.userId, { id: p + '-user' });
  const from = h('code', { id: p + '-from' });
  const sig = h('iframe', { id: p + '-signature', sandbox: '', title: t('app.settings.email.signature'), class: 'signature' });
  const err = h('p', { class: 'error', role: 'alert', id: p + '-error' });
  const show = async () => {
    err.textContent = '';
    try {
      const pv = await api('GET', '/v1/channels/' + ch.id + '/email-preview?userId=' + encodeURIComponent(who.value));
      from.textContent = pv.from; sig.srcdoc = pv.signatureHtml || '';
    } catch (e) { err.textContent = e.message; }
  };
  who.onchange = show; show();
  return h('section', { class: 'preview', 'aria-labelledby': p + '-title' },
    h('h4', { id: p + '-title', text: t('app.settings.email.preview') }), field(t('app.settings.email.asUser'), who, null),
    h('p', {}, t('app.settings.email.from'), ' ', from), sig, err);
}
