// A minimal relying party: "Sign in with Latchkey" through the authorization
// code flow with PKCE, using openid-client unchanged.
//
//   LATCHKEY_ISSUER   issuer URL           (default http://localhost:8080)
//   RP_CLIENT_ID      client id            (required)
//   RP_CLIENT_SECRET  client secret        (required for confidential clients)
//   RP_PORT           port to listen on    (default 3000)
//   RP_ID_TOKEN_ALG   ID token algorithm   (default ES256, as registered)
//
// Sessions live in memory; this is an example, not a production app.

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';

const issuer = new URL(process.env.LATCHKEY_ISSUER || 'http://localhost:8080');
const clientId = process.env.RP_CLIENT_ID;
const clientSecret = process.env.RP_CLIENT_SECRET;
const port = Number(process.env.RP_PORT || 3000);
const base = `http://localhost:${port}`;
const redirectUri = `${base}/callback`;
if (!clientId) {
  console.error(
    'RP_CLIENT_ID is required; register this app with\n' +
      `  latchkey client create --name "Example app" --redirect-uri ${redirectUri} --post-logout-redirect-uri ${base}/ --first-party`,
  );
  process.exit(2);
}

// A local Latchkey serves plain http; anywhere else the issuer is https.
const execute = issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
// The algorithm the client was registered with (`--id-token-alg`, ES256 by
// default): ID tokens signed any other way are refused.
const metadata = { id_token_signed_response_alg: process.env.RP_ID_TOKEN_ALG || 'ES256' };
// Confidential clients send their secret in the Authorization header;
// public clients (`--public`) rely on PKCE alone.
const auth = clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None();
const config = await oidc.discovery(issuer, clientId, metadata, auth, { execute });

const pending = new Map(); // state -> { verifier, nonce }
const sessions = new Map(); // cookie -> { claims, userinfo, idToken }

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (body) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example app</title></head><body>${body}</body></html>`;
const cookieOf = (req) => /(?:^|; )rp=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '')?.[1];

async function handle(req, res) {
  const url = new URL(req.url, base);
  const session = sessions.get(cookieOf(req));
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    if (!session) return res.end(page('<h1>Example app</h1><p><a id="login" href="/login">Sign in with Latchkey</a></p>'));
    const { claims, userinfo } = session;
    return res.end(
      page(
        `<h1>Example app</h1><p id="who">Signed in as <strong>${escape(userinfo.preferred_username ?? claims.sub)}</strong></p>` +
          `<dl><dt>sub</dt><dd id="sub">${escape(claims.sub)}</dd><dt>acr</dt><dd id="acr">${escape(claims.acr)}</dd>` +
          `<dt>amr</dt><dd id="amr">${escape((claims.amr ?? []).join(' '))}</dd></dl>` +
          `<p><a id="stepup" href="/login?acr=phrh">Ask for a hardware-bound passkey</a> · <a id="logout" href="/logout">Sign out</a></p>`,
      ),
    );
  }
  if (url.pathname === '/login') {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    pending.set(state, { verifier, nonce });
    const params = {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    };
    if (url.searchParams.get('acr')) params.acr_values = url.searchParams.get('acr');
    res.writeHead(303, { location: oidc.buildAuthorizationUrl(config, params).href });
    return res.end();
  }
  if (url.pathname === '/callback') {
    const state = url.searchParams.get('state');
    const expected = pending.get(state);
    pending.delete(state);
    if (!expected) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return res.end('Unknown or used state.');
    }
    if (url.searchParams.get('error')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const [error, description] = ['error', 'error_description'].map((k) => escape(url.searchParams.get(k) ?? ''));
      return res.end(page(`<h1>Sign-in failed</h1><p><code id="error">${error}</code> ${description}</p><p><a href="/">Back</a></p>`));
    }
    const tokens = await oidc.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: expected.verifier,
      expectedState: state,
      expectedNonce: expected.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    const id = randomBytes(24).toString('base64url');
    sessions.set(id, { claims, userinfo, idToken: tokens.id_token });
    res.writeHead(303, { location: '/', 'set-cookie': `rp=${id}; Path=/; HttpOnly; SameSite=Lax` });
    return res.end();
  }
  if (url.pathname === '/logout') {
    const id = cookieOf(req);
    sessions.delete(id);
    const end = session
      ? oidc.buildEndSessionUrl(config, { id_token_hint: session.idToken, post_logout_redirect_uri: `${base}/` }).href
      : '/';
    res.writeHead(303, { location: end, 'set-cookie': 'rp=; Path=/; Max-Age=0' });
    return res.end();
  }
  res.writeHead(404).end();
}

http
  .createServer((req, res) =>
    handle(req, res).catch((e) => {
      console.error(e);
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`The sign-in failed: ${e.message}`);
    }),
  )
  .listen(port, '127.0.0.1', () => console.log(`example relying party listening on ${base}`));
