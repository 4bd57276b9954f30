// Signing in: make run's demo sign-in, or the OAuth 2.0 code flow with PKCE against the user
// pool's hosted UI (or the configured OIDC issuer). The token lives in sessionStorage only.
import { $, h, S } from './core.js';
import { t } from './i18n.js';

// showSignIn shows the sign-in screen the deployment offers; start is called once signed in.
export async function showSignIn(start) {
  $('#app').hidden = true; $('#signin').hidden = false;
  const form = $('#signin-form'); form.replaceChildren();
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

// oauthFinish trades the code the issuer redirected back with for tokens; it throws when the
// state does not match the one this tab sent.
export async function oauthFinish(cfg, code, state) {
  const saved = JSON.parse(sessionStorage.getItem('inbox.pkce') || '{}');
  sessionStorage.removeItem('inbox.pkce');
  if (!saved.state || saved.state !== state) throw new Error('sign-in state mismatch');
  const res = await fetch(cfg.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cfg.clientId, code, redirect_uri: location.origin + '/app/', code_verifier: saved.verifier }) });
  const tok = await res.json();
  if (!tok.id_token) throw new Error('no token');
  S.token = tok.id_token; sessionStorage.setItem('inbox.token', S.token);
  history.replaceState(null, '', '/app/');
}

// signOut forgets the token, closes the live channel and shows the sign-in screen.
export function signOut(start) {
  sessionStorage.removeItem('inbox.token'); S.token = '';
  if (S.ws) { S.ws.onclose = null; S.ws.close(); }
  showSignIn(start);
}
