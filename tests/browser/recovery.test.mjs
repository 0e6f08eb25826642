// Account recovery in a real browser: a user loses their passkey (the
// virtual authenticator is removed), recovers with a recovery code under a
// policy with a few seconds' delay (from the configuration file), enrols a
// new passkey and signs in with it. Screenshots of the recovery pages at a
// desktop and a phone width land in artifacts/recovery/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, addVirtualAuthenticator, launchBrowser, startServer } from './harness.mjs';

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
  await shoot(page, 'recover');
  await page.fill('#account', 'grace');
  await Promise.all([page.waitForURL('**/recover/factor'), page.click('#recover-form button[type=submit]')]);
  await shoot(page, 'factor');

  await page.fill('#code', 'WRONG-WRONG-WRONG-WRONG');
  await page.click('#code-form button[type=submit]');
  assert.match(await page.textContent('#message'), /4 attempts left/);

  await page.fill('#code', codes[0]);
  await Promise.all([page.waitForURL('**/recover/status'), page.click('#code-form button[type=submit]')]);
  assert.equal(await page.getAttribute('#recovery-state', 'data-state'), 'waiting');
  assert.match(await page.textContent('#time-left'), /second/);
  await shoot(page, 'status');

  // The delay passes; the page (which also refreshes itself) says ready.
  await page.waitForTimeout(DELAY_SECONDS * 1000 + 500);
  await page.reload();
  assert.equal(await page.getAttribute('#recovery-state', 'data-state'), 'ready');
  await shoot(page, 'status-ready');
  await Promise.all([page.waitForURL('**/recover/enrol'), page.click('#complete-form button[type=submit]')]);
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
