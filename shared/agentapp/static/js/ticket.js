// The conversation's ticket beside the thread: its pipeline, stage and owner (tickets are opened
// by a channel's or form's ticket rule; a ticket's id is its conversation's id), and moving it
// to another stage (PATCH /v1/tickets/{id}). Stages are free text in the API: the field suggests
// the usual ones and those seen in this session.
import { $, h, S, api, userName } from './core.js';
import { t } from './i18n.js';

const seen = new Set(['new', 'open', 'pending', 'waiting', 'solved', 'closed']);
// known holds the last ticket read per conversation (null: it has none), so that the panel is
// drawn at once when the thread is redrawn, and only redrawn when the ticket changed.
const known = new Map();

// ticketPanel returns the ticket section for conversation c: drawn from what is known, then
// read again and redrawn if the ticket changed.
export function ticketPanel(c) {
  const box = h('section', { id: 'ticket', 'aria-labelledby': 'ticket-title' });
  if (known.has(c.id)) draw(box, c, known.get(c.id));
  api('GET', '/v1/tickets/' + encodeURIComponent(c.id)).then(tk => tk, e => { if (e.status === 404) return null; throw e; }).then(tk => {
    const had = known.has(c.id) ? JSON.stringify(known.get(c.id)) : undefined;
    known.set(c.id, tk);
    if (had !== JSON.stringify(tk) && S.selected && S.selected.id === c.id) draw(box, c, tk);
  }).catch(e => { if (!known.has(c.id)) box.replaceChildren(h('p', { class: 'error', text: e.message })); });
  return box;
}

function draw(box, c, tk) {
  box.replaceChildren(h('h2', { id: 'ticket-title', text: t('app.ticket.title') }));
  if (!tk) { box.append(h('p', { class: 'muted', id: 'ticket-none', text: c.ticketNotice || t('app.ticket.none') })); return; }
  seen.add(tk.stage);
  const input = h('input', { id: 'ticket-stage', list: 'ticket-stages', value: tk.stage, 'data-stage': tk.stage, autocomplete: 'off', 'aria-describedby': 'ticket-status' });
  const form = h('form', { class: 'stage', onsubmit: e => { e.preventDefault(); move(c, tk, input.value.trim()); } },
    h('label', { for: 'ticket-stage', text: t('app.ticket.stage') }), input,
    h('datalist', { id: 'ticket-stages' }, [...seen].map(s => h('option', { value: s }))),
    h('button', { type: 'submit', id: 'ticket-move', text: t('app.ticket.move') }),
    h('span', { id: 'ticket-status', class: 'muted', role: 'status' }));
  box.append(h('dl', {},
    h('dt', { text: t('app.ticket.pipeline') }), h('dd', { id: 'ticket-pipeline', text: tk.pipeline }),
    h('dt', { text: t('app.ticket.owner') }), h('dd', { text: tk.ownerUserId ? userName(tk.ownerUserId) : t('app.ticket.noOwner') })), form);
}

// move moves the ticket to stage and shows the outcome in whatever panel is drawn by then.
async function move(c, tk, stage) {
  if (!stage || stage === tk.stage) return;
  let msg;
  try {
    const moved = await api('PATCH', '/v1/tickets/' + encodeURIComponent(tk.id), { stage });
    known.set(c.id, moved); seen.add(moved.stage);
    const box = $('#ticket');
    if (box && S.selected && S.selected.id === c.id) draw(box, c, moved);
    msg = t('app.ticket.moved', { stage: moved.stage });
  } catch (e) { msg = e.message; }
  const status = $('#ticket-status'); if (status) status.textContent = msg;
}
