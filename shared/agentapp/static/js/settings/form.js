// Form pieces the settings sections share: labelled fields, checkbox groups, and the API's 400
// message shown next to the field it names ("twilio.phoneNumber must be…" lands under the
// control whose data-field is twilio.phoneNumber).
import { h } from '../core.js';
import { t } from '../i18n.js';

let seq = 0;

// field wraps a control with its label, an optional hint and an error slot the control is
// described by; path is the field's name in the API ("twilio.phoneNumber").
export function field(label, control, path, hint) {
  if (!control.id) control.id = 'sf-' + (++seq);
  const err = h('span', { class: 'field-error error', id: control.id + '-error', hidden: true });
  const hintEl = hint ? h('small', { class: 'muted', id: control.id + '-hint', text: hint }) : null;
  control.setAttribute('aria-describedby', [hintEl && hintEl.id, err.id].filter(Boolean).join(' '));
  if (path) control.dataset.field = path;
  const box = h('div', { class: 'field' + (control.type === 'checkbox' ? ' check' : '') });
  if (control.type === 'checkbox') box.append(control, h('label', { for: control.id, text: label }));
  else box.append(h('label', { for: control.id, text: label }), control);
  box.append(...[hintEl, err].filter(Boolean));
  return box;
}

// choice is a <select> of [value, label] pairs with value selected.
export const choice = (pairs, value, attrs = {}) =>
  h('select', attrs, pairs.map(([v, l]) => h('option', { value: v, selected: v === value, text: l })));

// group is a fieldset of checkboxes, one per item {id, name}, those in selected checked; its
// values() are the checked ids. path names it for the API's messages.
export function group(legend, items, selected = [], path, idPrefix) {
  const box = h('fieldset', { class: 'group', 'data-field': path || null }, h('legend', { text: legend }));
  if (!items.length) box.append(h('span', { class: 'muted', text: t('app.settings.none') }));
  for (const it of items) {
    const cb = h('input', { type: 'checkbox', value: it.id, checked: selected.includes(it.id), id: idPrefix ? idPrefix + '-' + it.id : null });
    if (!cb.id) cb.id = 'sf-' + (++seq);
    box.append(h('span', { class: 'opt' }, cb, h('label', { for: cb.id, text: it.name || it.id })));
  }
  const err = h('span', { class: 'field-error error', hidden: true });
  box.append(err);
  box.values = () => [...box.querySelectorAll('input:checked')].map(c => c.value);
  return box;
}

// fieldOf finds the control an API message names: the dotted path it starts with ("chat.
// availability.hours[2]: …" → chat.availability.hours), shortened until a control of form has
// it; then the message's first word through aliases ({time: 'timeZone'}). null when none.
export function fieldOf(form, message, aliases = {}) {
  const m = /^([A-Za-z]+(?:\.[A-Za-z]+)*)/.exec(message || '');
  if (!m) return null;
  const parts = m[1].split('.');
  for (let n = parts.length; n > 0; n--) {
    const el = form.querySelector(`[data-field="${parts.slice(0, n).join('.')}"]`);
    if (el) return el;
  }
  const alias = aliases[parts[0]];
  return alias ? form.querySelector(`[data-field="${alias}"]`) : null;
}

// showError puts err's message next to the field it names (marked invalid and focused), or in
// the form's status line when it names none.
export function showError(form, status, err, aliases) {
  clearErrors(form);
  const el = fieldOf(form, err.message, aliases);
  const slot = el && (el.tagName === 'FIELDSET' ? el.querySelector(':scope > .field-error') : form.querySelector('#' + CSS.escape(el.id) + '-error'));
  if (slot) {
    slot.textContent = err.message; slot.hidden = false;
    el.setAttribute('aria-invalid', 'true');
    (el.tagName === 'FIELDSET' ? el.querySelector('input') || el : el).focus();
    status.textContent = t('app.settings.notSaved');
  } else {
    status.textContent = err.message;
  }
  status.classList.add('error');
}

// clearErrors empties the error slots of form.
export function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) { e.textContent = ''; e.hidden = true; }
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
}

// saved says a save went through in status.
export function saved(status, text = t('app.settings.saved')) {
  status.classList.remove('error'); status.textContent = text;
}

// status is a form's polite status line.
export const status = id => h('span', { class: 'status', role: 'status', id });

// setPath sets obj's nested property at the dotted path ("header.mode").
export function setPath(obj, path, value) {
  const keys = path.split('.'); let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] = o[k] || {};
  o[keys[keys.length - 1]] = value;
}

// getPath reads obj's nested property at the dotted path (undefined when absent).
export const getPath = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
