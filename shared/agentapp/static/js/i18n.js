// The app's texts come from the product's message catalogues (shared/i18n/locales/<lang>.json,
// served at /app/i18n/<lang>.json): t('app.key', {name: value}) is the text in the chosen
// language with its {placeholders} filled. A key missing from the catalogue shows as itself, so
// a missing text is visible rather than silently English. Dates, times and numbers are
// formatted with the browser's Intl in the same language.
let lang = 'en', texts = {};

// load fetches the catalogue of language l (falling back to English) and makes it current.
export async function load(l) {
  for (const tag of [l, 'en']) {
    if (!tag) continue;
    const res = await fetch('/app/i18n/' + encodeURIComponent(tag) + '.json').catch(() => null);
    if (res && res.ok) { texts = await res.json(); lang = tag; document.documentElement.lang = tag; return; }
  }
}

// language is the tag of the current catalogue ("en", "da").
export const language = () => lang;

// t is the text of key with its {placeholders} filled from vars.
export function t(key, vars = {}) {
  const s = texts[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

// dateTime formats a time for the current language.
export const dateTime = d => new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(d));
