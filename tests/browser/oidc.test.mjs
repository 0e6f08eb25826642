// The example relying party (examples/relying-party, openid-client unchanged)
// signs in through Latchkey's passkey page in headless Chromium, shows the ID
// token's claims, and signs out again through RP-initiated logout. A second
// copy of it, registered as a third-party client, goes through the consent
// page: allow, remembered, removed on the account page, deny.

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
/** The same example app registered without --first-party: users consent. */
let thirdParty;

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

  const port3 = await freePort();
  const out3 = await server.cli(
    'client', 'create',
    '--name', 'Third-party app',
    '--redirect-uri', `http://localhost:${port3}/callback`,
    '--post-logout-redirect-uri', `http://localhost:${port3}/`,
  );
  const id3 = out3.match(/^client_id: (\S+)$/m)?.[1];
  const secret3 = out3.match(/^client_secret: (\S+)$/m)?.[1];
  assert.ok(id3 && secret3, `client id and secret in:\n${out3}`);
  thirdParty = await startRelyingParty({ port: port3, issuer: server.base, clientId: id3, clientSecret: secret3 });
  thirdParty.clientId = id3;
});

after(async () => {
  rp?.stop();
  thirdParty?.stop();
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

test('a third-party app asks for consent once; removing its access on the account page asks again, and Deny returns an error', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  await addVirtualAuthenticator(page);
  // A user of its own (an invitation), so this test does not depend on the other.
  const invite = (await server.cli('user', 'invite', 'grace@example.com')).match(/http:\/\/\S+\/invite\/lki_\S+/)[0];
  await page.goto(invite);
  await page.fill('#display_name', 'Grace Hopper');
  await Promise.all([page.waitForURL('**/onboarding'), page.click('#create-passkey')]);
  await browser.clearCookies();
  const navigations = recordNavigations(page);
  const context = () => `navigations:\n${navigations.join('\n')}`;
  const app = thirdParty.base;

  // Sign in through the app: passkey, then Latchkey asks before handing anything over.
  await page.goto(app);
  await Promise.all([page.waitForURL(`${server.base}/signin?**`), page.click('#login')]);
  const consentResponse = page.waitForResponse((r) => r.url().startsWith(`${server.base}/authorize/continue?`));
  await Promise.all([page.waitForURL(`${server.base}/authorize/continue?**`), page.click('#passkey-button')]);
  assert.equal(await page.textContent('h1'), 'Allow Third-party app?');
  assert.deepEqual(
    (await page.$$eval('#scopes li', (items) => items.map((li) => li.textContent.trim()))).sort(),
    ['your account id', 'your email address', 'your name and username'],
  );
  assert.match(
    (await consentResponse).headers()['content-security-policy'],
    new RegExp(`form-action 'self' ${app}(;|$)`),
    'the consent page allows the form to redirect to the app',
  );
  await page.screenshot({ path: join(ARTIFACTS, 'consent.png'), fullPage: true });

  // Allow: the form's answer is a redirect to the app's callback, which the
  // browser follows only if the page's form-action allows the app's origin
  // (under `form-action 'self'` Chromium aborts it: net::ERR_ABORTED).
  navigations.length = 0;
  await Promise.all([
    page.waitForURL(`${app}/`, { timeout: 10_000 }),
    page.click('#allow'),
  ]).catch((e) => assert.fail(`Allow did not land at the app: ${e.message}\n${context()}`));
  assert.ok(navigations.some((u) => u.startsWith(`${app}/callback?code=`)), context());
  assert.match(await page.textContent('#who'), /Signed in as grace/);
  const sub = await page.textContent('#sub');

  // Signed out everywhere, a second sign-in skips the question: remembered.
  await Promise.all([page.waitForURL(`${app}/`), page.click('#logout')]);
  assert.equal(await signedInAtLatchkey(page), false, 'signed out at Latchkey');
  await Promise.all([page.waitForURL(`${server.base}/signin?**`), page.click('#login')]);
  navigations.length = 0;
  await Promise.all([
    page.waitForURL(`${app}/`, { timeout: 10_000 }),
    page.click('#passkey-button'),
  ]).catch(async (e) => assert.fail(`no straight return to the app: ${e.message}\n${await page.title()}\n${context()}`));
  assert.ok(
    navigations.some((u) => u.startsWith(`${server.base}/authorize/continue?`)) &&
      navigations.some((u) => u.startsWith(`${app}/callback?code=`)),
    context(),
  );
  assert.equal(await page.textContent('#sub'), sub, 'the same user');

  // The account page lists the app; removing it is what the user sees next.
  await page.goto(`${server.base}/account`);
  const row = page.locator('#apps tbody tr', { hasText: 'Third-party app' });
  assert.equal(await row.count(), 1, await page.textContent('main'));
  assert.equal(await row.getAttribute('data-app'), thirdParty.clientId);
  assert.match(await row.textContent(), /your email address/);
  await Promise.all([
    page.waitForURL('**/account?done=app-removed'),
    row.getByRole('button', { name: 'Remove access' }).click(),
  ]);
  assert.equal(await page.locator('#apps tbody tr').count(), 0);
  assert.equal(await page.locator('#no-apps').count(), 1);

  // Still signed in at Latchkey: the app's sign-in (its /login, as the app
  // shows no button while signed in) goes straight to the question.
  await page.goto(`${app}/login`);
  assert.ok(page.url().startsWith(`${server.base}/authorize?`), context());
  assert.equal(await page.textContent('h1'), 'Allow Third-party app?');

  // Deny: back at the app with the error, through the same redirect.
  navigations.length = 0;
  await Promise.all([
    page.waitForURL(`${app}/callback?**`, { timeout: 10_000 }),
    page.click('#deny'),
  ]).catch((e) => assert.fail(`Deny did not land at the app: ${e.message}\n${context()}`));
  const back = new URL(page.url());
  assert.equal(back.searchParams.get('error'), 'access_denied');
  assert.equal(back.searchParams.get('iss'), server.base);
  assert.ok(back.searchParams.get('state'), 'the state comes back');
  assert.equal(back.searchParams.get('code'), null);
  assert.equal(await page.textContent('#error'), 'access_denied');
  assert.match(await page.textContent('body'), /The user did not allow the request\./);
  await page.close();
});
