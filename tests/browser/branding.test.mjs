// Branding as people see it: an administrator names the instance, gives it
// a colour and a logo in the console, and an application a logo and a
// privacy link; a sign-in that application starts shows all of it, served
// from Latchkey's own origin, readable (axe) in light and dark mode and at
// a phone's width. A colour that fails WCAG AA is refused with its ratio.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import {
  accessibility,
  ARTIFACTS,
  addVirtualAuthenticator,
  enrolAdmin,
  freePort,
  launchBrowser,
  startServer,
} from './harness.mjs';

const SHOTS = join(ARTIFACTS, 'branding');
const WIDTHS = [1280, 390];
const INSTANCE_LOGO = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#2d5f2e"/><path d="M9 17l5 5 9-11" stroke="#fff" stroke-width="3" fill="none"/></svg>',
);
const APP_LOGO = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#7a3e9d"/><text x="16" y="21" font-size="14" text-anchor="middle" fill="#fff">P</text></svg>',
);

let server;
let browser;
let page;
let logoServer;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage();
  await addVirtualAuthenticator(page);
  await enrolAdmin(page, server);
  // Where the application's logo is fetched from, once, when it is set.
  logoServer = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'image/svg+xml' });
    res.end(APP_LOGO);
  });
  await new Promise((ok) => logoServer.listen(0, '127.0.0.1', ok));
});

after(async () => {
  await browser?.close();
  logoServer?.close();
  if (server) await server.stop();
});

/** Opens a console page, confirming with the passkey first when asked to. */
async function open(p, path) {
  await p.goto(`${server.base}${path}`);
  if (p.url().includes('/stepup')) {
    await Promise.all([p.waitForURL(`**${path}`), p.click('#stepup-button')]);
  }
}

/** Screenshots the page at each width (light, and dark at the first), checks it fits. */
async function shoot(p, name) {
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    await p.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    if (width === WIDTHS[0]) {
      await p.emulateMedia({ colorScheme: 'dark' });
      await p.screenshot({ path: join(SHOTS, `${name}-${width}-dark.png`), fullPage: true });
      await p.emulateMedia({ colorScheme: 'light' });
    }
    const fits = await p.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    assert.ok(fits, `${name} at ${width} px overflows sideways`);
  }
  await p.setViewportSize({ width: 1280, height: 900 });
}

test('a branded instance and an application with a logo show on the sign-in page', async () => {
  // The instance: name, colour, logo.
  await open(page, '/admin/branding');
  await page.fill('#name', 'Acme sign-in');
  await page.fill('#colour', '#2d5f2e');
  await page.setInputFiles('#logo', { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: INSTANCE_LOGO });
  await Promise.all([page.waitForURL('**/admin/branding?done=saved'), page.click('#branding button[type=submit]')]);
  assert.match(await page.textContent('#flash'), /Saved/);
  await accessibility(page, 'admin-branding');
  await shoot(page, 'admin-branding');

  // A colour white text is unreadable on: refused, with the ratio.
  await page.fill('#colour', '#ffcc00');
  const [refused] = await Promise.all([
    page.waitForNavigation(),
    page.click('#branding button[type=submit]'),
  ]);
  assert.equal(refused.status(), 400);
  assert.match(await page.textContent('main'), /1\.51:1/);
  await shoot(page, 'admin-branding-refused');

  // The application: its logo (fetched once from the address) and a link.
  const port = await freePort();
  const redirectUri = `http://localhost:${port}/callback`;
  const out = await server.cli('client', 'create', '--name', 'Payroll', '--redirect-uri', redirectUri);
  const clientId = out.match(/^client_id: (\S+)$/m)?.[1];
  assert.ok(clientId, out);
  await open(page, `/admin/clients/${clientId}`);
  await page.fill('#logo_uri', `http://127.0.0.1:${logoServer.address().port}/logo.svg`);
  await page.fill('#policy_uri', 'https://payroll.example.com/privacy');
  await Promise.all([page.waitForURL('**done=presented'), page.click('#presentation button[type=submit]')]);

  // Someone not signed in arrives from the application.
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state: 'branding-test',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  const stranger = await launchBrowser();
  try {
    const p = await stranger.newPage();
    await p.goto(`${server.base}/authorize?${query}`);
    assert.match(p.url(), /\/signin\?/);
    assert.match(await p.textContent('#instance-name'), /Acme sign-in/);
    const instanceLogo = p.locator('header img');
    assert.equal(await instanceLogo.getAttribute('src'), '/branding/logo');
    assert.ok(await instanceLogo.evaluate((img) => img.complete && img.naturalWidth > 0), 'the instance logo loads');
    assert.match(await p.textContent('#requesting-app'), /Payroll/);
    const appLogo = p.locator('#app-logo');
    assert.equal(await appLogo.getAttribute('src'), `/clients/${clientId}/logo`);
    assert.match(await appLogo.getAttribute('alt'), /Payroll/);
    assert.ok(await appLogo.evaluate((img) => img.complete && img.naturalWidth > 0), 'the application logo loads');
    assert.equal(await p.getAttribute('#app-policy', 'href'), 'https://payroll.example.com/privacy');
    // The primary action carries the instance's colour.
    const bg = await p.$eval('main button', (b) => getComputedStyle(b).backgroundColor);
    assert.equal(bg, 'rgb(45, 95, 46)');
    await accessibility(p, 'signin-branded');
    await shoot(p, 'signin-branded');
    // Every other page carries the name too: the error page, for one.
    const res = await p.goto(`${server.base}/no/such/page`);
    assert.equal(res.status(), 404);
    assert.match(await p.textContent('#instance-name'), /Acme sign-in/);
    await shoot(p, 'not-found-branded');
  } finally {
    await stranger.close();
  }
});
