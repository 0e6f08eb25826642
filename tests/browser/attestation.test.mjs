// Attestation policies in Chromium: a client whose policy the signed-in
// passkey does not meet shows what it requires (1280 px and 390 px shots in
// artifacts/pages/), and registration under a policy that needs attestation
// says why it cannot proceed.
//
// Chromium's virtual authenticator answers `attestation: "direct"` with a
// `packed` statement under a self-signed batch certificate Chromium makes
// itself (documented by Chromium, not checked here); no FIDO metadata names
// that certificate, so it cannot satisfy a policy that requires
// attestation. This test does not get that far: without imported metadata the ceremony
// is refused before the authenticator is asked. Acceptance is covered by the
// Rust end-to-end tests (tests/e2e/attestation.rs) with the testkit's
// packed-attestation authenticator.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { accessibility, ARTIFACTS, addVirtualAuthenticator, enrolAdmin, launchBrowser, startServer } from './harness.mjs';

const WIDTHS = [1280, 390];
const SHOTS = join(ARTIFACTS, 'pages');
const REDIRECT = 'http://localhost:4999/callback';

let server;
let browser;
let clientId;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
  await server.cli('policy', 'create', 'hardware', '--require-attestation', '--device-bound');
  const out = await server.cli(
    'client', 'create', '--name', 'Payroll', '--redirect-uri', REDIRECT, '--first-party', '--policy', 'hardware',
  );
  clientId = out.match(/^client_id: (\S+)$/m)?.[1];
  assert.ok(clientId, out);
});

after(async () => {
  await browser?.close();
  if (server) await server.stop();
});

async function shoot(p, name) {
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    await p.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} at ${width} px is ${overflow} px too wide`);
  }
}

test('a client whose policy the passkey does not meet says what it requires', async () => {
  const page = await browser.newPage();
  await addVirtualAuthenticator(page, { defaultBackupEligibility: true, defaultBackupState: true });
  await enrolAdmin(page, server);
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: 's1',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  const res = await page.goto(`${server.base}/authorize?${query}`);
  assert.equal(res.status(), 403);
  assert.match(page.url(), /\/authorize\/passkey\?id=/);
  const text = await page.textContent('main');
  assert.match(text, /Payroll needs another passkey/);
  assert.match(text, /hardware/);
  assert.match(text, /synced/);
  assert.equal(await page.$('#stepup-button'), null);
  await shoot(page, 'passkey-required');
  await accessibility(page, 'passkey-required');
  await page.close();
});

test('registration under a policy that needs attestation says why it cannot proceed', async () => {
  await server.cli('policy', 'assign', 'hardware', '--tier', 'standard');
  const out = await server.cli('user', 'invite', 'pat@example.com');
  const link = out.trim().split('\n').pop();
  await browser.clearCookies();
  const page = await browser.newPage();
  await addVirtualAuthenticator(page);
  await page.goto(link);
  await page.fill('#username', 'pat');
  await page.fill('#display_name', 'Pat');
  await page.click('#create-passkey');
  await page.waitForFunction(() => document.getElementById('status')?.textContent.includes('hardware'));
  const status = await page.textContent('#status');
  assert.match(status, /FIDO metadata/);
  assert.ok(!page.url().endsWith('/onboarding'));
  await shoot(page, 'enrol-policy-refused');
  await accessibility(page, 'enrol-policy-refused');
  await page.close();
});
