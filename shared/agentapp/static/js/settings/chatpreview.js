// The chat channel's preview: the real widget (its iframe page, /chat/{id}/frame, which lets the
// deployment's own pages frame it) in a frame of the widget's size, as visitors get it now — the
// saved settings and the chat's current availability, in the app's language. It is drawn again
// after each save, so a change shows once saved. A channel not yet connected has no preview.
// The preview is live: a message sent from it reaches the inbox as a visitor's.
import { h } from '../core.js';
import { t, language } from '../i18n.js';

export function chatPreview(ch) {
  const p = 'chat-preview-' + (ch ? ch.id : 'new');
  const body = ch
    ? h('div', { class: 'chatpreview' }, h('iframe', { id: p + '-frame', title: t('app.settings.chat.preview'),
      src: '/chat/' + encodeURIComponent(ch.id) + '/frame?host=' + encodeURIComponent(location.origin) + '&lang=' + encodeURIComponent(language()) }))
    : h('p', { class: 'muted', text: t('app.settings.chat.saveFirst') });
  return h('section', { class: 'preview', id: p, 'aria-labelledby': p + '-title' },
    h('h4', { id: p + '-title', text: t('app.settings.chat.preview') }), ch ? h('p', { class: 'muted', text: t('app.settings.chat.previewNote') }) : null, body);
}
