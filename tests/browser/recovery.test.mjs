// Account recovery in a real browser: a user loses their passkey (the
// virtual authenticator is removed), recovers with a recovery code under a
// policy with a few seconds' delay (from the configuration file), enrols a
// new passkey and signs in with it. Then the same under a policy that needs
// two approvals: two approvers, each in their own browser with their own
// passkey, approve in the console, and the user signs in to the example
// relying party with the new passkey. Screenshots of the recovery pages and
// the console's queue and request pages, at a desktop and a phone width,
// land in artifacts/recovery/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accessibility,
  ARTIFACTS,
  addVirtualAuthenticator,
  enrolAdmin,
  freePort,
  launchBrowser,
  startRelyingParty,
  startServer,
} from './harness.mjs';

const WIDTHS = [1280, 390];
const SHOTS = join(ARTIFACTS, 'recovery');
const DELAY_SECONDS = 3;

let server;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-recovery-config-'));
  const config = join(dir, 'latchkey.toml');
  writeFileSync(
    config,
    `[recovery.standard.recover_account]
factors = 1
factor_kinds = ["recovery_code", "email_link"]
delay = "${DELAY_SECONDS}s"
approvals = 0
lifetime = "1h"
revokes = ["other_passkeys", "sessions", "refresh_families"]
`,
  );
  server = await startServer({ LATCHKEY_CONFIG: config });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (server) await server.stop();
});

/** Screenshots the current page (reloaded at each width) and checks it fits. */
async function shoot(page, name) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.reload();
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    assert.ok(fits, `${name} at ${width} px overflows sideways`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('a user who lost their passkey recovers with a code, enrols a new one and signs in', async () => {
  const out = await server.cli('user', 'invite', 'grace@example.com');
  const link = out.match(/http:\/\/\S+\/invite\/lki_\S+/)[0];
  const page = await browser.newPage();
  const lost = await addVirtualAuthenticator(page);
  await page.goto(link);
  await page.fill('#display_name', 'Grace Hopper');
  await Promise.all([page.waitForURL('**/onboarding'), page.click('#create-passkey')]);
  const codes = await page.$$eval('#recovery-codes li', (items) => items.map((li) => li.textContent.trim()));
  assert.equal(codes.length, 10);

  // The device is gone: its authenticator and this browser's cookies.
  await lost.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: lost.authenticatorId });
  await browser.clearCookies();

  await page.goto(`${server.base}/signin`);
  await Promise.all([page.waitForURL('**/recover'), page.click('#lost-passkey')]);
  await accessibility(page, 'recover');
  await shoot(page, 'recover');
  await page.fill('#account', 'grace');
  await Promise.all([page.waitForURL('**/recover/factor'), page.click('#recover-form button[type=submit]')]);
  await accessibility(page, 'recover-factor');
  await shoot(page, 'factor');

  await page.fill('#code', 'WRONG-WRONG-WRONG-WRONG');
  await page.click('#code-form button[type=submit]');
  assert.match(await page.textContent('#message'), /4 attempts left/);

  await page.fill('#code', codes[0]);
  await Promise.all([page.waitForURL('**/recover/status'), page.click('#code-form button[type=submit]')]);
  await accessibility(page, 'recover-status');
  assert.equal(await page.getAttribute('#recovery-state', 'data-state'), 'waiting');
  assert.match(await page.textContent('#time-left'), /second/);
  await shoot(page, 'status');

  // The delay passes; the page (which also refreshes itself) says ready.
  await page.waitForTimeout(DELAY_SECONDS * 1000 + 500);
  await page.reload();
  assert.equal(await page.getAttribute('#recovery-state', 'data-state'), 'ready');
  await shoot(page, 'status-ready');
  await Promise.all([page.waitForURL('**/recover/enrol'), page.click('#complete-form button[type=submit]')]);
  await accessibility(page, 'recover-enrol');
  await shoot(page, 'enrol');

  const fresh = await addVirtualAuthenticator(page);
  await Promise.all([page.waitForURL('**/onboarding'), page.click('#create-passkey')]);
  const newCodes = await page.$$eval('#recovery-codes li', (items) => items.map((li) => li.textContent.trim()));
  assert.equal(newCodes.length, 10);
  assert.ok(newCodes.every((c) => !codes.includes(c)), 'fresh codes');
  await page.goto(`${server.base}/account`);
  assert.match(await page.textContent('main'), /Grace Hopper/);
  const { credentials } = await fresh.cdp.send('WebAuthn.getCredentials', { authenticatorId: fresh.authenticatorId });
  assert.equal(credentials.length, 1);

  // Signed out, the new passkey signs in (autofill on the sign-in page).
  await Promise.all([page.waitForURL('**/signin'), page.click('form[action="/signout"] button')]);
  await page.waitForURL('**/account');
  assert.match(await page.textContent('main'), /Grace Hopper/);
  await page.close();
});

/** Enrols from an invitation link in `page`; the recovery codes shown once. */
async function enrolInvited(page, link, name) {
  await page.goto(link);
  await page.fill('#display_name', name);
  await Promise.all([page.waitForURL('**/onboarding'), page.click('#create-passkey')]);
  return page.$$eval('#recovery-codes li', (items) => items.map((li) => li.textContent.trim()));
}

/** An approver's decision in the console, in their own browser. */
async function approveInConsole(page, server, requestId, name, comment) {
  await page.goto(`${server.base}/admin/approvals`);
  if (page.url().includes('/stepup')) {
    await Promise.all([page.waitForURL('**/admin/approvals'), page.click('#stepup-button')]);
  }
  await page.waitForSelector(`[data-request="${requestId}"]`);
  if (name) await shoot(page, `${name}-queue`);
  await Promise.all([
    page.waitForURL(`**/admin/approvals/${requestId}`),
    page.click(`a[href="/admin/approvals/${requestId}"]`),
  ]);
  if (name) await shoot(page, `${name}-request`);
  await accessibility(page, 'admin-approval');
  await page.fill('#decision-comment', comment);
  await Promise.all([
    page.waitForURL(`**/admin/approvals/${requestId}?done=approved`),
    page.click('button[data-decision="approve"]'),
  ]);
  assert.match(await page.textContent('#flash'), /approval was recorded/);
  if (name) await shoot(page, `${name}-approved`);
  await accessibility(page, 'admin-approval-approved');
}

test('two approvers in their own browsers approve a recovery, and the new passkey signs in to the example app', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-approved-recovery-'));
  const config = join(dir, 'latchkey.toml');
  writeFileSync(
    config,
    `[recovery.standard.recover_account]
factors = 1
factor_kinds = ["recovery_code", "email_link"]
delay = "${DELAY_SECONDS}s"
approvals = 2
lifetime = "1h"
revokes = ["other_passkeys", "sessions", "refresh_families"]
`,
  );
  const srv = await startServer({ LATCHKEY_CONFIG: config });
  const port = await freePort();
  const out = await srv.cli(
    'client', 'create',
    '--name', 'Example app',
    '--redirect-uri', `http://localhost:${port}/callback`,
    '--post-logout-redirect-uri', `http://localhost:${port}/`,
    '--first-party',
  );
  const clientId = out.match(/^client_id: (\S+)$/m)?.[1];
  const clientSecret = out.match(/^client_secret: (\S+)$/m)?.[1];
  const rp = await startRelyingParty({ port, issuer: srv.base, clientId, clientSecret });
  // Each person has a browser of their own (cookies, authenticator).
  const mine = await launchBrowser();
  const adas = await launchBrowser();
  const beas = await launchBrowser();
  try {
    // The approvers: the first administrator and a founding one invited by
    // the operator; both hold the approver role.
    const ada = await adas.newPage();
    await addVirtualAuthenticator(ada);
    await enrolAdmin(ada, srv);
    const beaLink = (await srv.cli('user', 'invite', '--admin', 'bea@example.com')).match(/http:\/\/\S+\/invite\/lki_\S+/)[0];
    const bea = await beas.newPage();
    await addVirtualAuthenticator(bea);
    await enrolInvited(bea, beaLink, 'Bea Example');

    const katLink = (await srv.cli('user', 'invite', 'kat@example.com')).match(/http:\/\/\S+\/invite\/lki_\S+/)[0];
    const page = await mine.newPage();
    const lost = await addVirtualAuthenticator(page);
    const codes = await enrolInvited(page, katLink, 'Kat Example');
    assert.equal(codes.length, 10);

    // The device is gone.
    await lost.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: lost.authenticatorId });
    await mine.clearCookies();
    await page.goto(`${srv.base}/signin`);
    await Promise.all([page.waitForURL('**/recover'), page.click('#lost-passkey')]);
    await page.fill('#account', 'kat');
    await Promise.all([page.waitForURL('**/recover/factor'), page.click('#recover-form button[type=submit]')]);
    await page.fill('#code', codes[0]);
    await Promise.all([page.waitForURL('**/recover/status'), page.click('#code-form button[type=submit]')]);
    assert.equal(await page.getAttribute('#recovery-state', 'data-state'), 'waiting');

    await page.waitForTimeout(DELAY_SECONDS * 1000 + 500);
    await page.reload();
    assert.equal(await page.getAttribute('#recovery-state', 'data-state'), 'awaiting_approvals');
    assert.match(await page.textContent('main'), /2 approvals/);
    await shoot(page, 'status-awaiting-approvals');

    // The request id, as the console lists it.
    await ada.goto(`${srv.base}/admin/approvals`);
    if (ada.url().includes('/stepup')) {
      await Promise.all([ada.waitForURL('**/admin/approvals'), ada.click('#stepup-button')]);
    }
    const requestId = await ada.getAttribute('[data-request]', 'data-request');
    assert.ok(requestId, 'the request is in the queue');
    await approveInConsole(ada, srv, requestId, 'console', 'Called Kat back on the number on file.');
    await page.reload();
    assert.equal(await page.getAttribute('#recovery-state', 'data-state'), 'awaiting_approvals');
    await approveInConsole(bea, srv, requestId, null, 'Kat showed her badge on a video call.');

    await page.reload();
    assert.equal(await page.getAttribute('#recovery-state', 'data-state'), 'ready');
    await Promise.all([page.waitForURL('**/recover/enrol'), page.click('#complete-form button[type=submit]')]);
    const fresh = await addVirtualAuthenticator(page);
    await Promise.all([page.waitForURL('**/onboarding'), page.click('#create-passkey')]);
    const { credentials } = await fresh.cdp.send('WebAuthn.getCredentials', { authenticatorId: fresh.authenticatorId });
    assert.equal(credentials.length, 1);

    // Signed out of Latchkey, the example app signs Kat in with the new
    // passkey.
    await mine.clearCookies();
    await page.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    await page.goto(rp.base);
    await Promise.all([page.waitForURL(`${srv.base}/signin?**`), page.click('#login')]);
    await Promise.all([page.waitForURL(`${rp.base}/`), page.click('#passkey-button')]);
    assert.match(await page.textContent('#who'), /Signed in as kat/);
    await page.screenshot({ path: join(SHOTS, 'relying-party-after-recovery.png'), fullPage: true });
  } finally {
    await mine.close();
    await adas.close();
    await beas.close();
    rp.stop();
    await srv.stop();
  }
});
