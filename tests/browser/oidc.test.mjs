// The example relying party (examples/relying-party, openid-client unchanged)
// signs in through Latchkey's passkey page in headless Chromium, shows the ID
// token's claims, and signs out again through RP-initiated logout.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ARTIFACTS,
  addVirtualAuthenticator,
  enrolAdmin,
  freePort,
  launchBrowser,
  startRelyingParty,
  startServer,
} from './harness.mjs';

let server;
let browser;
let rp;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const port = await freePort();
  const out = await server.cli(
    'client', 'create',
    '--name', 'Example app',
    '--redirect-uri', `http://localhost:${port}/callback`,
    '--post-logout-redirect-uri', `http://localhost:${port}/`,
    '--first-party',
  );
  const clientId = out.match(/^client_id: (\S+)$/m)?.[1];
  const clientSecret = out.match(/^client_secret: (\S+)$/m)?.[1];
  assert.ok(clientId && clientSecret, `client id and secret in:\n${out}`);
  rp = await startRelyingParty({ port, issuer: server.base, clientId, clientSecret });
});

after(async () => {
  rp?.stop();
  await browser?.close();
  if (server) await server.stop();
});

/** The main-frame navigations of `page` (redirects included), as URLs. */
function recordNavigations(page) {
  const urls = [];
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) urls.push(r.url());
  });
  return urls;
}

/** Whether `page`'s browser holds a Latchkey session (redirects not followed). */
async function signedInAtLatchkey(page) {
  const res = await page.request.get(`${server.base}/account`, { maxRedirects: 0 });
  return res.status() === 200;
}

test('the example app signs in with a passkey through Latchkey, shows the claims and signs out', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  // The button is the way in (no autofill), so each step is a visible click.
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  await addVirtualAuthenticator(page);
  await enrolAdmin(page, server);
  // Start signed out everywhere; the passkey stays on the authenticator.
  await browser.clearCookies();
  const navigations = recordNavigations(page);

  await page.goto(rp.base);
  assert.equal(await page.locator('#who').count(), 0, 'signed out at the app');
  await Promise.all([page.waitForURL(`${server.base}/signin?**`), page.click('#login')]);
  assert.ok(
    navigations.some((u) => u.startsWith(`${server.base}/authorize?`)),
    navigations.join('\n'),
  );
  await Promise.all([page.waitForURL(`${rp.base}/`), page.click('#passkey-button')]);
  assert.ok(navigations.some((u) => u.startsWith(`${rp.base}/callback?`)), navigations.join('\n'));

  assert.match(await page.textContent('#who'), /Signed in as ada/);
  const sub = await page.textContent('#sub');
  assert.match(sub, /^[0-9a-f-]{36}$/, 'sub is the user id');
  assert.equal(await page.textContent('#acr'), 'phr');
  assert.equal(await page.textContent('#amr'), 'hwk user pop');
  assert.ok(await signedInAtLatchkey(page), 'the sign-in started a Latchkey session');
  await page.screenshot({ path: join(ARTIFACTS, 'relying-party.png'), fullPage: true });

  // RP-initiated logout ends the Latchkey session and returns to the app.
  navigations.length = 0;
  await Promise.all([page.waitForURL(`${rp.base}/`), page.click('#logout')]);
  assert.ok(
    navigations.some((u) => u.startsWith(`${server.base}/logout?`) && u.includes('id_token_hint=')),
    navigations.join('\n'),
  );
  assert.equal(await page.locator('#who').count(), 0, 'signed out at the app');
  assert.equal(await page.locator('#login').count(), 1);
  assert.equal(await signedInAtLatchkey(page), false, 'signed out at Latchkey');

  // Signed in at Latchkey already: the app's sign-in completes without a prompt.
  await page.goto(`${server.base}/signin`);
  await Promise.all([page.waitForURL(`${server.base}/account`), page.click('#passkey-button')]);
  await page.goto(rp.base);
  navigations.length = 0;
  await Promise.all([page.waitForURL(`${rp.base}/`), page.click('#login')]);
  assert.ok(!navigations.some((u) => u.startsWith(`${server.base}/signin`)), navigations.join('\n'));
  assert.equal(await page.textContent('#sub'), sub, 'the same user');
  await page.close();
});
