// The WhatsApp template picker. Outside the 24-hour customer service window only an approved
// template can be sent, so there the composer offers the channel's templates
// (GET /v1/channels/{id}/templates) instead of free text: choose one (name and language), fill
// its body parameters ({{1}}…) with a preview of what the customer will read, and send it as the
// reply's `template` (openapi.yaml, ReplyRequest).
import { $, h, S, api } from './core.js';
import { t, errorText } from './i18n.js';
import { reloadThread } from './thread.js';

// lists holds each channel's templates for the page's life (the API keeps them a minute too);
// a failed read is forgotten, so that opening the conversation again asks again.
const lists = new Map();

function load(channelId) {
  if (!lists.has(channelId)) {
    lists.set(channelId, api('GET', '/v1/channels/' + encodeURIComponent(channelId) + '/templates')
      .then(r => r.items, e => { lists.delete(channelId); throw e; }));
  }
  return lists.get(channelId);
}

// fill puts the values into text's {{n}} placeholders; one without a value stays {{n}}.
export const fill = (text, values) => (text || '').replace(/\{\{\s*(\d+)\s*\}\}/g, (m, n) => values[n - 1] || m);

// templateText is how the thread shows a sent template: its name, language and parameters.
export const templateText = tpl => t('app.templates.sent', { name: tpl.name, language: tpl.language }) +
  (tpl.parameters && tpl.parameters.length ? ' — ' + tpl.parameters.join(' · ') : '');

// chosen is the picker's current template and its parameter fields.
let chosen = null;

// templatePicker is the composer's body when only a template can be sent on conversation c.
export function templatePicker(c) {
  chosen = null;
  const status = h('p', { class: 'muted', id: 'template-status', role: 'status', text: t('app.templates.loading') });
  const box = h('fieldset', { class: 'templates', id: 'template-picker' }, h('legend', { text: t('app.templates.legend') }), status);
  load(c.channel.id).then(items => {
    if (!items.length) { status.textContent = t('app.templates.none'); return; }
    status.remove();
    const sel = h('select', { id: 'template-select' }, h('option', { value: '', text: t('app.templates.choose') }),
      items.map((x, i) => h('option', { value: String(i), text: x.name + ' · ' + x.language })));
    const params = h('div', { class: 'params', id: 'template-params' });
    const preview = h('div', { class: 'preview', id: 'template-preview', 'aria-live': 'polite' });
    const show = () => {
      preview.replaceChildren();
      if (!chosen) return;
      const values = chosen.inputs.map(i => i.value.trim()), tpl = chosen.tpl;
      preview.append(...[tpl.header && h('strong', { text: tpl.header }), h('p', { text: fill(tpl.body, values) }),
        tpl.footer && h('small', { class: 'muted', text: tpl.footer })].filter(Boolean));
    };
    sel.onchange = () => {
      const tpl = items[sel.value];
      chosen = tpl ? { tpl, inputs: [] } : null;
      params.replaceChildren();
      for (let n = 1; tpl && n <= tpl.parameters; n++) {
        const input = h('input', { type: 'text', id: 'template-param-' + n, oninput: show });
        chosen.inputs.push(input);
        params.append(h('label', { for: input.id, text: t('app.templates.param', { n }) }), input);
      }
      show();
    };
    box.append(h('label', { for: 'template-select', text: t('app.templates.label') }), sel, params,
      h('span', { class: 'muted', text: t('app.templates.preview') }), preview);
  }, e => { status.textContent = errorText(e); status.className = 'error'; });
  return box;
}

// sendTemplate sends the chosen template, every parameter filled, as the reply.
export async function sendTemplate() {
  const err = $('#send-error');
  if (!S.selected) return;
  if (!chosen) { err.textContent = t('app.templates.pick'); return; }
  const values = chosen.inputs.map(i => i.value.trim());
  if (values.some(v => !v)) { err.textContent = t('app.templates.fill'); return; }
  const tpl = { name: chosen.tpl.name, language: chosen.tpl.language, ...(values.length ? { parameters: values } : {}) };
  try {
    await api('POST', '/v1/conversations/' + S.selected.id + '/messages', { template: tpl });
    await reloadThread();
  } catch (e) { err.textContent = errorText(e); }
}
