// Signing in: make run's demo sign-in, or the OAuth 2.0 code flow with PKCE against the user
// pool's hosted UI (or the configured OIDC issuer). The token lives in sessionStorage only.
import { $, h, S } from './core.js';
import { t, has, load, pick } from './i18n.js';

// showSignIn shows the sign-in screen the deployment offers; start is called once signed in.
// failure, when set, says why the last sign-in did not work ({key, vars} of the catalogue),
// above the way to try again.
export async function showSignIn(start, failure) {
  if (!has('app.signin.title')) await load(pick('', S.cfg.languages));
  $('#app').hidden = true; $('#signin').hidden = false;
  const form = $('#signin-form'); form.replaceChildren();
  if (failure) form.append(h('p', { id: 'signin-error', class: 'error', role: 'alert', text: t(failure.key, failure.vars) }));
  const cfg = S.cfg;
  if (cfg.localSignIn) {
    const users = await fetch(cfg.localSignIn).then(r => r.json());
    const sel = h('select', { id: 'signin-user' }, users.map(u => h('option', { value: u.id, text: `${u.name} (${u.role})` })));
    form.append(h('label', { for: 'signin-user', text: t('app.signin.demoUser') }), sel,
      h('button', { class: 'primary', type: 'submit', text: t('app.signin.submit') }));
    form.onsubmit = async e => {
      e.preventDefault();
      const r = await fetch(cfg.localSignIn, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: sel.value }) });
      const { token } = await r.json();
      S.token = token; sessionStorage.setItem('inbox.token', token); start();
    };
  } else if (cfg.authorizeUrl) {
    form.append(h('button', { class: 'primary', type: 'button', text: t('app.signin.organisation'), onclick: () => oauthStart(cfg) }));
  } else {
    form.append(h('p', { class: 'error', text: t('app.signin.none') }));
  }
}

const b64url = buf => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function oauthStart(cfg) {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem('inbox.pkce', JSON.stringify({ verifier, state }));
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const u = new URL(cfg.authorizeUrl);
  Object.entries({ response_type: 'code', client_id: cfg.clientId, redirect_uri: location.origin + '/app/', scope: 'openid email profile',
    state, code_challenge: challenge, code_challenge_method: 'S256' }).forEach(([k, v]) => u.searchParams.set(k, v));
  location.assign(u);
}

// oauthFinish handles the issuer's redirect back to the app (?code=&state=, or ?error=): it
// trades the code for tokens with this tab's PKCE verifier and keeps the ID token. It returns
// the failure to show ({key, vars}) when the issuer refused, the state is not the one this tab
// sent, or no ID token came back; nothing when signed in.
export async function oauthFinish(cfg, q) {
  const saved = JSON.parse(sessionStorage.getItem('inbox.pkce') || '{}');
  sessionStorage.removeItem('inbox.pkce');
  history.replaceState(null, '', '/app/');
  const failed = reason => ({ key: 'app.signin.failed', vars: { reason } });
  if (q.get('error')) return failed(q.get('error'));
  if (!saved.state || saved.state !== q.get('state')) return failed('state');
  try {
    const res = await fetch(cfg.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cfg.clientId, code: q.get('code'), redirect_uri: location.origin + '/app/', code_verifier: saved.verifier }) });
    const tok = await res.json().catch(() => ({}));
    if (!res.ok || !tok.id_token) return failed(tok.error || res.status);
    S.token = tok.id_token; sessionStorage.setItem('inbox.token', S.token);
    S.fromIssuer = true;
  } catch (e) {
    return failed(e.message);
  }
}

// signOut forgets the token, closes the live channel and shows the sign-in screen, with why
// when the API refused a token the issuer had just given (the token is for another client or
// the user belongs to no account here).
export function signOut(start, refused) {
  const failure = refused && S.fromIssuer ? { key: 'app.signin.refused' } : null;
  sessionStorage.removeItem('inbox.token'); S.token = ''; S.fromIssuer = false;
  if (S.ws) { S.ws.onclose = null; S.ws.close(); }
  showSignIn(start, failure);
}
