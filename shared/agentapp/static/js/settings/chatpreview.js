// The chat channel's preview: the real widget (its iframe page, /chat/{id}/frame, which lets the
// deployment's own pages frame it) in a frame of the widget's size, in the app's language. It
// shows the settings being edited, not only the saved ones, in the availability state chosen
// with the switch (as now, available, away, offline, at capacity): on every change the app asks
// the API for the widget's config of the unsaved settings (POST /v1/channels/{id}/chat-preview,
// admins only, checked as saving checks them, nothing written) and hands it to the frame by
// postMessage. The widget is on the chat's origin (cfg.chatUrl: the webhooks' API in AWS, this
// origin under make run) and takes such a config only from the deployment's own pages — this
// app — never from a site that embeds it, and the settings never travel in a URL. A channel not yet
// connected has no preview. The preview is live: a message sent from it reaches the inbox.
import { h, api, S } from '../core.js';
import { t, language, errorText } from '../i18n.js';

const STATES = ['', 'available', 'away', 'offline', 'at_capacity'];

// previews are the previews drawn, each with what it does on its widget's messages. One listener
// on window serves them all (each redraw of the settings draws new previews: a listener each
// would pile up with the old frames); a preview whose frame has left the page is forgotten.
const previews = new Set();
let listening = false;

function listen() {
  if (listening) return;
  listening = true;
  window.addEventListener('message', e => {
    for (const p of previews) {
      if (p.frame.isConnected) p.shown = true;
      else if (p.shown) { previews.delete(p); continue; }
      if (e.source === p.frame.contentWindow && e.origin === p.origin) p.onMessage(e.data);
    }
  });
}

export function chatPreview(ch, form) {
  const p = 'chat-preview-' + (ch ? ch.id : 'new');
  const head = [h('h4', { id: p + '-title', text: t('app.settings.chat.preview') })];
  if (!ch) return h('section', { class: 'preview', id: p, 'aria-labelledby': p + '-title' }, head, h('p', { class: 'muted', text: t('app.settings.chat.saveFirst') }));
  const chat = new URL(S.cfg.chatUrl || location.origin).origin;
  const frame = h('iframe', { id: p + '-frame', title: t('app.settings.chat.preview'),
    src: chat + '/chat/' + encodeURIComponent(ch.id) + '/frame?host=' + encodeURIComponent(location.origin) + '&lang=' + encodeURIComponent(language()) });
  const note = h('p', { class: 'muted', id: p + '-status', role: 'status' });
  const radios = STATES.map(s => h('span', { class: 'opt' },
    h('input', { type: 'radio', name: p + '-state', id: p + '-state-' + (s || 'now'), value: s, checked: !s, onchange: () => refresh() }),
    h('label', { for: p + '-state-' + (s || 'now'), text: t('app.settings.chat.state.' + (s || 'now')) })));
  const box = h('section', { class: 'preview', id: p, 'aria-labelledby': p + '-title' }, head,
    h('p', { class: 'muted', text: t('app.settings.chat.previewNote') }),
    h('fieldset', { class: 'group', id: p + '-states' }, h('legend', { text: t('app.settings.chat.previewState') }), radios),
    note, h('div', { class: 'chatpreview' }, frame));
  // The widget says "ready" once it has drawn its own config: a preview sent earlier would be
  // drawn over.
  let ready = false, wanted = false, timer = 0;
  listen();
  previews.add({ frame, origin: chat, onMessage: d => { if (d && d.type === 'ready') { ready = true; if (wanted) refresh(); } } });
  async function refresh() {
    wanted = true;
    if (!ready) return;
    const state = (box.querySelector('input[type=radio]:checked') || {}).value || '';
    let draft = {};
    try { draft = (form && form.body().chat) || {}; } catch (e) { note.textContent = t('app.settings.chat.previewError', { message: e.message }); return; }
    try {
      const cfg = await api('POST', '/v1/channels/' + ch.id + '/chat-preview', { chat: draft, ...(state ? { state } : {}), language: language() });
      frame.contentWindow.postMessage({ type: 'preview', config: cfg }, chat);
      frame.contentWindow.postMessage({ type: 'open' }, chat);
      note.textContent = cfg.availability.hideLauncher ? t('app.settings.chat.previewHidden') : '';
      box.dataset.state = cfg.availability.state;
    } catch (e) { note.textContent = t('app.settings.chat.previewError', { message: errorText(e) }); }
  }
  const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 300); };
  if (form) { form.addEventListener('input', later); form.addEventListener('change', later); }
  return box;
}
