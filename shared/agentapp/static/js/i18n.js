// The app's texts come from the product's message catalogues (shared/i18n/locales/<lang>.json,
// served at /app/i18n/<lang>.json): t('app.key', {name: value}) is the text in the chosen
// language with its {placeholders} filled. A key missing from the catalogue shows as itself, so
// a missing text is visible rather than silently English. Dates, times, relative times, numbers
// and plurals are the browser's Intl in the same language.
//
// The language is the user's setting (language on GET /v1/users/me), else the first of the
// browser's languages the product speaks (config.json lists them), else English.
let lang = 'en', texts = {};

// load fetches the catalogue of language l (falling back to English) and makes it current.
export async function load(l) {
  for (const tag of [l, 'en']) {
    if (!tag) continue;
    const res = await fetch('/app/i18n/' + encodeURIComponent(tag) + '.json').catch(() => null);
    if (res && res.ok) { texts = await res.json(); lang = tag; document.documentElement.lang = tag; translate(); return; }
  }
}

// pick is the language to show: the user's choice when set, else the first of the browser's
// languages (navigator.languages, "da-DK" counting as "da") among those the product speaks.
export function pick(choice, spoken = []) {
  const tags = spoken.map(l => l.tag);
  if (choice && tags.includes(choice)) return choice;
  for (const l of navigator.languages || [navigator.language]) {
    const base = String(l).toLowerCase().split('-')[0];
    if (tags.includes(base)) return base;
  }
  return 'en';
}

// language is the tag of the current catalogue ("en", "da").
export const language = () => lang;

// has reports whether the catalogue has key.
export const has = key => key in texts;

// t is the text of key with its {placeholders} filled from vars.
export function t(key, vars = {}) {
  const s = texts[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

// plural is the text of key.one, key.other… as the language's plural rules choose for n, with
// {count} set to n written the language's way.
export function plural(key, n, vars = {}) {
  const form = key + '.' + new Intl.PluralRules(lang).select(n);
  return t(has(form) ? form : key + '.other', { count: number(n), ...vars });
}

// translate puts the catalogue's texts into the static page: data-t (text), data-t-label
// (aria-label), data-t-placeholder and data-t-title.
export function translate(root = document) {
  for (const [attr, set] of [['data-t', (e, s) => { e.textContent = s; }], ['data-t-label', (e, s) => e.setAttribute('aria-label', s)],
    ['data-t-placeholder', (e, s) => { e.placeholder = s; }], ['data-t-title', (e, s) => { e.title = s; }]]) {
    root.querySelectorAll('[' + attr + ']').forEach(e => set(e, t(e.getAttribute(attr))));
  }
}

// errorText is an API error in the user's words: the catalogue's sentence for its code (with
// the API's message where it says what was wrong), the API's message otherwise.
export function errorText(e) {
  const key = 'app.error.' + (e && e.status ? e.code : 'network');
  return has(key) ? t(key, { message: (e && e.message) || '' }) : (e && e.message) || String(e);
}

// channelLabel is a channel type's name in the current language (the type itself when the
// catalogue has no word for it yet).
export const channelLabel = type => (has('app.channel.' + type) ? t('app.channel.' + type) : type);

// number writes n the language's way ("1,234" / "1.234").
export const number = n => new Intl.NumberFormat(lang).format(n);

// fileSize writes a byte count for people ("12 kB", "1.2 MB").
export const fileSize = n => (n < 1e6 ? number(Math.max(1, Math.round(n / 1e3))) + ' kB' : number(Math.round(n / 1e5) / 10) + ' MB');

// dateTime formats a time for the current language.
export const dateTime = d => new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(d));

// ago is how long ago d was, the language's way and short: "5 min. ago", "for 3 t. siden".
export function ago(d, now = Date.now()) {
  const m = Math.max(0, Math.round((now - new Date(d)) / 60000));
  const [v, unit] = m < 60 ? [m, 'minute'] : m < 1440 ? [Math.round(m / 60), 'hour'] : [Math.round(m / 1440), 'day'];
  return new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'short' }).format(-v, unit);
}
