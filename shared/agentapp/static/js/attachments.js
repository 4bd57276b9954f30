// Files attached to a reply: an Attach button, drag-and-drop onto the composer and pasting
// files into it. Each file is checked against the channel's limits before it is uploaded
// (POST /v1/uploads, with a progress bar), can be removed before sending, and goes with the
// reply as {uploadId} (openapi.yaml, ReplyAttachment). The limits are the API's and the
// providers' (openapi.yaml, the reply operation): 4 MiB a file everywhere (the upload's limit),
// 7 MiB in all on email, 5 MB in all and 10 files on SMS/MMS (Twilio), one file on Messenger
// and WhatsApp.
import { $, h, S, hooks } from './core.js';
import { t, number, fileSize as size } from './i18n.js';

const MiB = 1 << 20;
const LIMITS = {
  sms: { count: 10, total: 5e6 },
  messenger: { count: 1 },
  whatsapp: { count: 1 },
  email: { count: Infinity, total: 7 * MiB },
};
// The upload's own limit (MaxUpload in shared/httpapi).
const FILE = 4 * MiB;

// pending are the current reply's files: {file, name, contentType, done (uploaded), id, error,
// xhr, promise, el}. They belong to one conversation (conv).
let pending = [], conv = null;

// limits is what the channel of conversation c takes; null when it takes no files (chat, forms…).
const limits = c => LIMITS[c.channel.type] || null;

// sendType is the attachment type to send a file of content type ct as on channel type ch:
// WhatsApp shows images, video and audio only in the formats it plays (else it refuses them),
// so other files go as documents there.
export function sendType(ch, ct) {
  const [top] = ct.split('/');
  if (ch === 'whatsapp') {
    if (/^image\/(jpeg|png)$/.test(ct)) return 'image';
    if (/^video\/(mp4|3gpp)$/.test(ct)) return 'video';
    if (/^audio\/(aac|amr|mpeg|mp4|ogg)$/.test(ct)) return 'audio';
    return 'file';
  }
  return ['image', 'audio', 'video'].includes(top) ? top : 'file';
}

// check says why file f cannot be added to the pending files of conversation c ('' when it can).
function check(c, f) {
  const lim = limits(c);
  if (!lim) return t('app.attach.notHere');
  const ok = pending.filter(p => !p.error);
  if (ok.length >= lim.count) return lim.count === 1 ? t('app.attach.onlyOne') : t('app.attach.tooMany', { count: number(lim.count) });
  if (!f.size) return t('app.attach.empty', { name: f.name });
  if (f.size > FILE) return t('app.attach.tooLarge', { name: f.name, max: size(FILE) });
  const total = ok.reduce((n, p) => n + p.file.size, 0) + f.size;
  if (lim.total && total > lim.total) return t('app.attach.totalTooLarge', { max: size(lim.total) });
  return '';
}

// reset forgets the files of another conversation (or all after sending).
function reset(c) {
  if (c && conv === c.id) return;
  for (const p of pending) if (p.xhr && !p.done) p.xhr.abort();
  pending = []; conv = c ? c.id : null;
}

// add checks and uploads files for the open conversation.
export function add(files) {
  const c = S.selected;
  if (!c) return;
  reset(c);
  const msg = $('#attach-error');
  if (msg) msg.textContent = '';
  for (const f of files) {
    const why = check(c, f);
    if (why) { if (msg) msg.textContent = why; continue; }
    const p = { file: f, name: f.name || 'attachment', contentType: f.type || 'application/octet-stream', done: false };
    p.promise = upload(p);
    pending.push(p);
  }
  draw();
}

// upload sends p's file to POST /v1/uploads, showing its progress; it resolves when stored.
function upload(p) {
  return new Promise(resolve => {
    const xhr = new XMLHttpRequest();
    p.xhr = xhr; p.progress = 0;
    xhr.open('POST', '/v1/uploads?name=' + encodeURIComponent(p.name));
    xhr.setRequestHeader('Authorization', 'Bearer ' + S.token);
    xhr.setRequestHeader('Content-Type', p.contentType);
    xhr.upload.onprogress = e => { if (e.lengthComputable) { p.progress = e.loaded / e.total; drawOne(p); } };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON: the status says enough */ }
      if (xhr.status === 401) hooks.signOut();
      if (xhr.status === 201 && data) { p.id = data.id; p.contentType = data.contentType; p.name = data.name; p.done = true; p.progress = 1; }
      else p.error = (data && data.error && data.error.message) || xhr.statusText || String(xhr.status);
      drawOne(p); resolve();
    };
    xhr.onerror = () => { p.error = t('app.error.network'); drawOne(p); resolve(); };
    xhr.onabort = () => resolve();
    xhr.send(p.file);
  });
}

// remove drops pending file p (stopping its upload).
function remove(p) {
  if (p.xhr && !p.done) p.xhr.abort();
  pending = pending.filter(x => x !== p);
  draw();
  const btn = $('#attach-btn'); if (btn) btn.focus();
}

function drawOne(p) {
  const old = p.el;
  p.el = item(p);
  if (old && old.isConnected) old.replaceWith(p.el);
}

function item(p) {
  const i = pending.indexOf(p);
  return h('li', { class: 'attachment' + (p.error ? ' failed' : ''), id: 'attachment-' + i, 'data-done': String(p.done) },
    h('span', { class: 'name', text: p.name + ' · ' + size(p.file.size) }),
    p.error ? h('span', { class: 'error', text: ' ' + t('app.attach.failed', { message: p.error }) })
      : p.done ? null : h('progress', { max: 1, value: p.progress || 0, 'aria-label': t('app.attach.uploading', { name: p.name }) }),
    h('button', { type: 'button', class: 'link', id: 'attachment-remove-' + i, 'aria-label': t('app.attach.remove', { name: p.name }), onclick: () => remove(p), text: '×' }));
}

// draw redraws the list of pending files under the composer.
function draw() {
  const ul = $('#attachments');
  if (!ul) return;
  ul.replaceChildren(...pending.map(p => (p.el = item(p))));
  ul.hidden = !pending.length;
}

// attachBar is the composer's Attach button, its file picker, the list of pending files and the
// place for a refused file's reason; nothing on channels that take no files.
export function attachBar(c) {
  reset(c);
  if (!limits(c)) return null;
  const input = h('input', { type: 'file', id: 'attach-input', multiple: limits(c).count > 1, hidden: true,
    onchange: () => { add([...input.files]); input.value = ''; } });
  return h('div', { class: 'attach' },
    h('button', { type: 'button', id: 'attach-btn', onclick: () => input.click(), text: t('app.attach.button') }), input,
    h('ul', { id: 'attachments', class: 'attachments', 'aria-label': t('app.attach.list'), hidden: !pending.length }, pending.map(p => (p.el = item(p)))),
    h('span', { id: 'attach-error', class: 'error', role: 'alert' }));
}

// wireDrop lets files be dropped onto the composer form or pasted into its text box.
export function wireDrop(form, ta) {
  form.addEventListener('dragover', e => { if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) { e.preventDefault(); form.classList.add('dropping'); } });
  form.addEventListener('dragleave', () => form.classList.remove('dropping'));
  form.addEventListener('drop', e => {
    form.classList.remove('dropping');
    if (e.dataTransfer && e.dataTransfer.files.length) { e.preventDefault(); add([...e.dataTransfer.files]); }
  });
  ta.addEventListener('paste', e => {
    const files = e.clipboardData ? [...e.clipboardData.files] : [];
    if (files.length) { e.preventDefault(); add(files); }
  });
}

// attached waits for the pending uploads and returns the reply's attachments; it throws when
// one failed (the agent removes it or tries again).
export async function attached() {
  await Promise.all(pending.map(p => p.promise));
  const bad = pending.find(p => p.error);
  if (bad) throw new Error(t('app.attach.failed', { message: bad.error }));
  const ch = S.selected ? S.selected.channel.type : '';
  return pending.map(p => ({ uploadId: p.id, name: p.name, contentType: p.contentType, type: sendType(ch, p.contentType) }));
}

// clearAttachments forgets the sent files.
export function clearAttachments() { pending = []; draw(); }
