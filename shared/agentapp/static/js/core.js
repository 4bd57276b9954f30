// Shared pieces of the agents' web app: DOM helpers, the app's state, and the API client.
// Every other module imports from here; nothing here imports them back except through hooks.
export const $ = (s, el = document) => el.querySelector(s);

// h builds an element: h('button', { type: 'button', onclick: f, text: 'Send' }, ...children).
// Attributes that are false or null are left out; on* attributes are listeners.
export const h = (tag, attrs = {}, ...kids) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat()) if (c != null) el.append(c);
  return el;
};

// S is the app's state: who is signed in, the view, the list, the open conversation.
export const S = {
  token: sessionStorage.getItem('inbox.token') || '',
  me: null, cfg: {}, view: { key: 'mine' }, convs: [], shown: [], selected: null, messages: [], users: [], inboxes: [], channels: [],
  cursor: sessionStorage.getItem('inbox.cursor') || '', seen: new Set(), unread: new Set(), ws: null, typingAt: 0,
  composeMode: 'reply', active: -1,
};

// hooks lets modules call each other without import cycles at load time (signOut lives in
// signin.js, but api() needs it on a 401).
export const hooks = { signOut: () => {} };

// api calls the inbox API as the signed-in user; a refusal throws an Error with the API's message
// (and .code, .status).
export async function api(method, path, body) {
  const res = await fetch(path, {
    method, headers: { Authorization: 'Bearer ' + S.token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status === 401) { hooks.signOut(true); throw new Error('signed out'); }
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = new Error((data && data.error && data.error.message) || res.statusText);
    err.code = data && data.error && data.error.code; err.status = res.status;
    throw err;
  }
  return data;
}

// userName is a user's display name, or their id when unknown.
export const userName = id => (S.users.find(u => u.id === id) || {}).name || id;
