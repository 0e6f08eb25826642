// Passkeys in a real browser: headless Chromium with CDP virtual
// authenticators drives the real pages and the one static script.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, addVirtualAuthenticator, launchBrowser, startServer } from './harness.mjs';

let server;
let browser;
/** The administrator's passkey, exported from the authenticator that made it. */
let adminCredential;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (server) await server.stop();
});

async function newPage() {
  // Each page gets its own cookies: a fresh incognito-like context would be
  // cleaner, but a persistent context is required for the flags; clear them.
  await browser.clearCookies();
  return browser.newPage();
}

async function credentials(cdp, authenticatorId) {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  return credentials;
}

async function metric(name) {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('the bootstrap link creates the first administrator and shows recovery codes once', async () => {
  assert.ok(server.bootstrapUrl, 'the first start prints a bootstrap link');
  const page = await newPage();
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  await page.goto(server.bootstrapUrl);
  await page.fill('#username', 'ada');
  await page.fill('#display_name', 'Ada Lovelace');
  await Promise.all([page.waitForURL('**/onboarding'), page.click('#create-passkey')]);
  const codes = await page.$$eval('#recovery-codes li', (items) => items.map((li) => li.textContent.trim()));
  assert.equal(codes.length, 10);
  for (const code of codes) assert.match(code, /^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
  await page.screenshot({ path: join(ARTIFACTS, 'onboarding.png'), fullPage: true });
  await page.reload();
  assert.equal(await page.$$eval('#recovery-codes li', (items) => items.length), 0, 'shown once');
  assert.match(await page.textContent('main'), /shown once already/);

  const stored = await credentials(cdp, authenticatorId);
  assert.equal(stored.length, 1);
  assert.equal(stored[0].isResidentCredential, true, 'a discoverable credential');
  adminCredential = stored[0];

  // The link is dead now.
  const again = await page.goto(server.bootstrapUrl);
  assert.equal(again.status(), 410);
  await page.close();
});

test('an invitation link signs a new user up with a passkey', async () => {
  const out = await server.cli('user', 'invite', 'grace@example.com');
  const link = out.match(/http:\/\/\S+\/invite\/lki_\S+/)[0];
  const page = await newPage();
  await addVirtualAuthenticator(page);
  await page.goto(link);
  assert.equal(await page.inputValue('#username'), 'grace');
  await page.fill('#display_name', 'Grace Hopper');
  await Promise.all([page.waitForURL('**/onboarding'), page.click('#create-passkey')]);
  await page.goto(`${server.base}/account`);
  assert.match(await page.textContent('main'), /Grace Hopper/);
  const reuse = await page.goto(link);
  assert.equal(reuse.status(), 410, 'single use');
  await page.close();
});

test('the sign-in page signs in through autofill without a click', async () => {
  // Without any passkey the page stays put: a screenshot of it.
  const empty = await newPage();
  await addVirtualAuthenticator(empty);
  await empty.goto(`${server.base}/signin`);
  assert.equal(await empty.getAttribute('#username', 'autocomplete'), 'username webauthn');
  await empty.screenshot({ path: join(ARTIFACTS, 'signin.png'), fullPage: true });
  await empty.close();

  const before = await metric('latchkey_passkey_ceremonies_total{ceremony="authentication",flow="autofill",outcome="success"}');
  const page = await newPage();
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: adminCredential });
  // The conditional request fires on load and resolves with the passkey.
  await Promise.all([page.waitForURL('**/account'), page.goto(`${server.base}/signin`)]);
  assert.match(await page.textContent('main'), /Ada Lovelace/);
  const after = await metric('latchkey_passkey_ceremonies_total{ceremony="authentication",flow="autofill",outcome="success"}');
  assert.equal(after, before + 1);
  adminCredential = (await credentials(cdp, authenticatorId))[0];
  await page.close();
});

test('the button signs in through the modal flow; an administrator\'s second passkey waits out its delay and is cancelled, the first renamed', async () => {
  const page = await newPage();
  // A browser without autofill for passkeys: the button is the way in.
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  await page.goto(`${server.base}/signin`);
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: adminCredential });
  await Promise.all([page.waitForURL('**/account'), page.click('#passkey-button')]);
  assert.equal(
    await metric('latchkey_passkey_ceremonies_total{ceremony="authentication",flow="modal",outcome="success"}'),
    1,
  );

  // A second device: a roaming security key, as a second authenticator; the
  // first one is set aside so the browser uses the new one.
  adminCredential = (await credentials(cdp, authenticatorId))[0];
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
  const key = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  await page.fill('#new-passkey-label', 'Security key');
  // The administrator's account is elevated: the new passkey is registered
  // but waits out the cooling-off delay, listed as a request, not usable.
  await Promise.all([page.waitForURL('**/account?done=add-pending'), page.click('[data-add-passkey]')]);
  assert.equal(await page.$$eval('#passkeys tbody tr', (rows) => rows.length), 1);
  assert.equal((await credentials(cdp, key.authenticatorId)).length, 1);
  const waiting = page.locator('#pending tbody tr');
  assert.equal(await waiting.count(), 1);
  assert.match(await waiting.textContent(), /Security key/);
  await page.screenshot({ path: join(ARTIFACTS, 'account.png'), fullPage: true });

  // Rename the first one.
  const row = page.locator('#passkeys tbody tr').first();
  await row.locator('input[name="label"]').fill('Laptop');
  await row.getByRole('button', { name: 'Rename' }).click();
  await page.waitForLoadState();
  assert.match(page.url(), /done=renamed/, await page.textContent('main'));
  assert.equal(await page.locator('input[value="Laptop"]').count(), 1);

  // Cancel the waiting one: it is gone.
  await Promise.all([
    page.waitForURL('**/account?done=request-cancelled'),
    waiting.getByRole('button', { name: 'Cancel' }).click(),
  ]);
  assert.equal(await page.locator('#pending').count(), 0);
  assert.equal(await page.$$eval('#passkeys tbody tr', (rows) => rows.length), 1);
  assert.match(await page.textContent('#flash'), /cancelled/);
  await page.close();
});

test('after a step-up the script follows only a path on this site', async () => {
  const page = await newPage();
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: adminCredential });
  await Promise.all([page.waitForURL('**/account'), page.goto(`${server.base}/signin`)]);
  // The server never renders these; the script must refuse them anyway.
  for (const next of ['/\t/example.com/', '/\n/example.com/', '//example.com/', '/\\example.com/', 'https://example.com/']) {
    await page.goto(`${server.base}/stepup`);
    await page.evaluate((n) => {
      document.body.dataset.next = n;
    }, next);
    await Promise.all([page.waitForURL(`${server.base}/account`), page.click('#stepup-button')]);
    assert.equal(new URL(page.url()).origin, new URL(server.base).origin, JSON.stringify(next));
  }
  // A path on this site is followed as it is.
  await page.goto(`${server.base}/stepup?next=${encodeURIComponent('/account?x=1')}`);
  await Promise.all([page.waitForURL(`${server.base}/account?x=1`), page.click('#stepup-button')]);
  adminCredential = (await credentials(cdp, authenticatorId))[0];
  await page.close();
});
