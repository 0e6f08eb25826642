// The pages load in a secure context under the strict CSP, and a virtual
// authenticator is available to them: the ground the passkey tests stand on.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, addVirtualAuthenticator, launchBrowser, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (server) {
    const { code } = await server.stop();
    assert.equal(code, 0, 'the server stops cleanly on SIGTERM');
  }
});

test('home page renders under the strict CSP with no console errors', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  const res = await page.goto(`${server.base}/`);
  assert.equal(res.status(), 200);
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(await page.title(), 'Latchkey');
  // The stylesheet is allowed by the CSP ('self') and applied.
  const maxWidth = await page.$eval('main', (el) => getComputedStyle(el).maxWidth);
  assert.equal(maxWidth, '480px'); // the card of people's pages (30rem)
  await page.screenshot({ path: join(ARTIFACTS, 'home.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('pages are a secure context where a virtual passkey authenticator is usable', async () => {
  const page = await browser.newPage();
  await addVirtualAuthenticator(page);
  await page.goto(`${server.base}/`);
  assert.equal(await page.evaluate(() => window.isSecureContext), true);
  const conditional = await page.evaluate(() => PublicKeyCredential.isConditionalMediationAvailable());
  assert.equal(conditional, true);
  const platform = await page.evaluate(() =>
    PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(),
  );
  assert.equal(platform, true);
  await page.close();
});

test('inline script is blocked by the content security policy', async () => {
  const page = await browser.newPage();
  const violations = [];
  page.on('console', (m) => m.text().includes('Content Security Policy') && violations.push(m.text()));
  await page.goto(`${server.base}/`);
  const ran = await page.evaluate(() => {
    window.__inlineRan = false;
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true;';
    document.body.appendChild(s);
    return window.__inlineRan;
  });
  assert.equal(ran, false);
  assert.ok(violations.length > 0, 'the browser reports the CSP violation');
  await page.close();
});
