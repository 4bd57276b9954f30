// The working-hours editor: ranges of a weekday, several a day for split shifts ("09:00–12:00"
// and "13:00–17:00" on Monday), as the API's [{day, start, end}] with day 0 = Sunday.
import { h } from '../core.js';
import { t, language } from '../i18n.js';

// dayName is weekday d (0 Sunday) in the app's language.
export const dayName = d => new Intl.DateTimeFormat(language(), { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 1 + d)));

// hoursEditor returns a fieldset editing ranges (legend text, path the API's field name); its
// value() is the list of ranges in the API's form.
export function hoursEditor(legend, ranges = [], path, idPrefix) {
  const list = h('ul', { class: 'hours' });
  const box = h('fieldset', { class: 'group', 'data-field': path || null, id: idPrefix ? idPrefix + '-hours' : null }, h('legend', { text: legend }), list);
  let n = 0;
  const row = (r = { day: 1, start: '09:00', end: '17:00' }) => {
    const i = ++n, p = (idPrefix || 'hours') + '-' + i;
    const day = h('select', { id: p + '-day', 'aria-label': t('app.settings.hours.day') },
      [1, 2, 3, 4, 5, 6, 0].map(d => h('option', { value: d, selected: d === r.day, text: dayName(d) })));
    const start = h('input', { type: 'time', id: p + '-start', value: r.start, 'aria-label': t('app.settings.hours.start') });
    const end = h('input', { type: 'time', id: p + '-end', value: r.end === '24:00' ? '23:59' : r.end, 'aria-label': t('app.settings.hours.end') });
    const li = h('li', { class: 'range' }, day, ' ', start, ' – ', end, ' ',
      h('button', { type: 'button', class: 'remove', text: t('app.settings.hours.remove'), onclick: () => { li.remove(); add.focus(); } }));
    li.range = () => ({ day: Number(day.value), start: start.value, end: end.value });
    list.append(li);
    return li;
  };
  ranges.forEach(r => row(r));
  const add = h('button', { type: 'button', class: 'add', id: idPrefix ? idPrefix + '-hours-add' : null, text: t('app.settings.hours.add'),
    onclick: () => row().querySelector('select').focus() });
  box.append(add, h('span', { class: 'field-error error', hidden: true }));
  box.value = () => [...list.children].map(li => li.range());
  return box;
}
