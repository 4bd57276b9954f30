// Settings: connecting and editing channels of every kind (settings/kinds.js holds each kind's
// fields). The API's 400 is shown next to the field it names; secrets are write-only (blank
// keeps the stored one) and secrets the API generates are shown once, right after the save.
// Each channel shows what to paste at its provider (webhook and status URLs, verify token,
// forwarding address, the chat's embed code with a copy button); the team email channel shows
// its From line and signature as they are sent for a chosen user (settings/emailpreview.js),
// the chat channel the real widget with the settings being edited (settings/chatpreview.js). A channel can
// be disconnected (DELETE).
import { h, api } from '../core.js';
import { t } from '../i18n.js';
import { field, choice, group, showError, clearErrors, status, setPath, getPath } from './form.js';
import { hoursEditor } from './hours.js';
import { kinds } from './kinds.js';
import { emailPreview } from './emailpreview.js';
import { chatPreview } from './chatpreview.js';

// notice is what the last save revealed (generated secrets, where to point the provider): kept
// across the redraw that follows the save, shown once.
let notice = null;

const label = (type, n) => t('app.settings.field.' + type + '.' + n);

// control makes the input of field f with value v; value() reads it back in the API's form.
function control(f, v, id, ctx, creating, lbl) {
  let el;
  switch (f.type) {
    case 'check':
      el = h('input', { type: 'checkbox', id, checked: v === true || v === 'true' || (v == null && !!f.default) });
      el.value_ = () => el.checked; return el;
    case 'number':
      el = h('input', { type: 'number', id, value: v ?? f.default ?? '' });
      el.value_ = () => (el.value === '' ? undefined : Number(el.value)); return el;
    case 'select':
      el = choice(f.opts.map(o => [o, t('app.settings.option.' + o)]), v || f.opts[0], { id });
      el.value_ = () => el.value; return el;
    case 'textarea':
      el = h('textarea', { id, rows: 3 }); el.value = v ?? '';
      el.value_ = () => el.value; return el;
    case 'color':
      el = h('input', { type: 'color', id, value: v || f.default });
      el.value_ = () => el.value; return el;
    case 'secret':
      el = h('input', { type: 'password', id, autocomplete: 'new-password', placeholder: creating ? '' : t('app.settings.secretKept') });
      el.value_ = () => el.value; return el;
    case 'list': case 'lines': {
      const arr = Array.isArray(v) ? v : (v ? String(v).split(',') : []);
      el = f.type === 'lines' ? h('textarea', { id, rows: 2 }) : h('input', { type: 'text', id });
      el.value = arr.join(f.type === 'lines' ? '\n' : ', ');
      el.value_ = () => el.value.split(f.type === 'lines' ? /\n/ : /[,\s]+/).map(s => s.trim()).filter(Boolean); return el;
    }
    case 'json': {
      el = h('textarea', { id, rows: 5, class: 'code' });
      el.value = JSON.stringify(typeof v === 'string' ? JSON.parse(v || 'null') : (v ?? f.default ?? null), null, 1);
      el.value_ = () => { try { return JSON.parse(el.value); } catch { throw Object.assign(new Error(t('app.settings.notJson', { field: f.n })), { field: f.n }); } };
      return el;
    }
    case 'hours': {
      el = hoursEditor(lbl, typeof v === 'string' ? JSON.parse(v || '[]') : (v || []), null, id);
      el.value_ = el.value; return el;
    }
    case 'people':
      el = group(lbl, ctx[f.of], v || [], null, id);
      el.value_ = el.values; return el;
    default:
      el = h('input', { type: 'text', id, value: v ?? f.default ?? '', placeholder: f.placeholder || null });
      el.value_ = () => el.value.trim(); return el;
  }
}

// channelForm connects a channel of type (ch null) or edits ch.
function channelForm(type, ch, ctx, onSaved) {
  const k = kinds[type], creating = !ch, p = creating ? 'channel-new-' + type : 'channel-' + ch.id;
  const stored = creating ? {} : k.read(ch);
  const name = h('input', { type: 'text', id: p + '-name', value: creating ? '' : ch.name, maxlength: 100, placeholder: creating ? t('app.settings.channels.defaultName') : null });
  const inboxSel = choice(ctx.inboxes.map(ib => [ib.id, ib.name]), creating ? (ctx.inboxes[0] || {}).id : ch.inboxId, { id: p + '-inbox' });
  const fields = k.fields.filter(f => (creating ? !f.edit : !f.create));
  const controls = fields.map(f => {
    const v = getPath(stored, f.key || f.n);
    const el = control(f, creating ? undefined : v, p + '-' + f.n.replace(/\./g, '-'), ctx, creating, label(type, f.n));
    const path = k.field + '.' + f.n;
    const hint = f.type === 'secret' && !creating ? t('app.settings.secretHint') : f.hint || null;
    const box = ['hours', 'people'].includes(f.type) ? el : field(label(type, f.n) + (f.required && creating ? ' *' : ''), el, path, hint);
    if (box === el) el.dataset.field = path;
    return { f, el, box, initial: creating ? undefined : JSON.stringify(safe(el)) };
  });
  const st = status(p + '-status');
  const form = h('form', { id: p + '-form', class: 'grid', novalidate: true },
    field(t('app.settings.channels.name'), name, 'name'), field(t('app.settings.channels.inbox'), inboxSel, 'inboxId'),
    controls.map(c => c.box));
  // body is the request: every field when connecting, only what changed when editing.
  form.body = () => {
    const s = {};
    for (const c of controls) {
      const v = c.el.value_();
      if (c.f.type === 'secret' && !v) continue;
      if (!creating && JSON.stringify(v) === c.initial) continue;
      if (creating && (v === '' || v === undefined)) continue;
      if (c.f.edit && c.f.type === 'check' && !v) continue;
      setPath(s, c.f.n, v);
    }
    if (type === 'form' && s.acknowledgement && !s.acknowledgement.subject && !s.acknowledgement.text) s.acknowledgement = creating ? undefined : null;
    const body = { [k.field]: s };
    if (creating) Object.assign(body, { type, inboxId: inboxSel.value });
    else if (inboxSel.value !== ch.inboxId) body.inboxId = inboxSel.value;
    if (name.value.trim() && (creating || name.value.trim() !== ch.name)) body.name = name.value.trim();
    return body;
  };
  form.onsubmit = async e => {
    e.preventDefault(); clearErrors(form);
    try {
      const body = form.body();
      const saved = creating ? await api('POST', '/v1/channels', body) : await api('PATCH', '/v1/channels/' + ch.id, body);
      notice = { id: saved.id, created: creating, secrets: saved.secrets || null };
      await onSaved(saved);
    } catch (err) {
      showError(form, st, err.field ? Object.assign(err, { message: k.field + '.' + err.field + ': ' + err.message }) : err);
    }
  };
  form.append(h('p', {}, h('button', { type: 'submit', class: 'primary', id: p + '-save', text: creating ? t('app.settings.channels.connect') : t('app.settings.save') }), ' ', st));
  form.controls = controls;
  return form;
}

// safe reads a control's value, or null when it cannot be read (invalid JSON).
function safe(el) { try { return el.value_(); } catch { return null; } }

// copyButton copies text to the clipboard, saying so.
function copyButton(text, id) {
  const b = h('button', { type: 'button', id, text: t('app.settings.channels.copy') });
  b.onclick = async () => {
    try { await navigator.clipboard.writeText(text); b.textContent = t('app.settings.channels.copied'); } catch { b.textContent = t('app.settings.channels.copyFailed'); }
  };
  return b;
}

// info is what to paste at the channel's provider.
function info(ch) {
  const rows = [];
  const add = (key, value, copy) => { if (value) rows.push(h('dt', { text: t('app.settings.channels.' + key) }), h('dd', {}, h('code', { text: value }), copy ? [' ', copyButton(value, 'copy-' + key + '-' + ch.id)] : null)); };
  add('webhookUrl', ch.webhookUrl, true); add('statusCallbackUrl', ch.statusCallbackUrl, true);
  add('verifyToken', (ch.messenger || ch.whatsapp || {}).verifyToken, true);
  add('forwardingAddress', (ch.email || {}).forwardingAddress, true);
  add('embedCode', ch.embedCode, true);
  return h('dl', { class: 'info', id: 'channel-info-' + ch.id }, rows);
}

// noticeFor shows, once, the secrets the last save of ch generated.
function noticeFor(ch) {
  if (!notice || notice.id !== ch.id) return null;
  const n = notice; notice = null;
  return h('div', { class: 'notice', role: 'status', id: 'channel-notice-' + ch.id },
    h('p', { text: n.created ? t('app.settings.channels.connected') : t('app.settings.saved') }),
    n.secrets ? h('dl', {}, Object.entries(n.secrets).map(([k, v]) => [h('dt', { text: t('app.settings.channels.secretOnce', { name: k }) }), h('dd', {}, h('code', { text: v }), ' ', copyButton(v, 'copy-secret-' + k))])) : null);
}

function channelItem(ch, ctx) {
  const form = channelForm(ch.type, ch, ctx, () => ctx.redraw('channels', 'routing'));
  const del = h('button', { type: 'button', class: 'danger', id: 'channel-delete-' + ch.id, text: t('app.settings.channels.delete') });
  const st = status('channel-delete-status-' + ch.id);
  del.onclick = async () => {
    if (!confirm(t('app.settings.channels.deleteConfirm', { name: ch.name }))) return;
    try { await api('DELETE', '/v1/channels/' + ch.id); await ctx.redraw('channels', 'routing'); } catch (err) { st.textContent = err.message; }
  };
  const n = noticeFor(ch);
  return h('details', { id: 'channel-' + ch.id, open: !!n },
    h('summary', {}, h('strong', { text: ch.name }), ' · ', t('app.settings.kind.' + ch.type)),
    n, info(ch), form,
    ch.type === 'email' ? emailPreview(ch, ctx) : null,
    ch.type === 'chat' ? chatPreview(ch, form) : null,
    h('p', {}, del, ' ', st));
}

export default {
  id: 'channels', title: () => t('app.settings.channels.title'),
  render(ctx) {
    const types = Object.keys(kinds);
    const kind = choice(types.map(k => [k, t('app.settings.kind.' + k)]), 'sms', { id: 'channel-new-type' });
    const slot = h('div', { id: 'channel-new-slot' });
    const show = () => {
      const form = channelForm(kind.value, null, ctx, saved => ctx.redraw('channels', 'routing').then(() => {
        const d = document.getElementById('channel-' + saved.id); if (d) { d.open = true; d.querySelector('summary').focus(); }
      }));
      slot.replaceChildren(...[form, kind.value === 'chat' ? chatPreview(null) : null].filter(Boolean));
    };
    kind.onchange = show; show();
    return h('div', {},
      ctx.channels.map(ch => channelItem(ch, ctx)),
      h('details', { id: 'channel-new' }, h('summary', { text: t('app.settings.channels.add') }), field(t('app.settings.channels.type'), kind, 'type'), slot));
  },
};
