// Every page a person sees, at a desktop width (1280 px) and a phone width
// (390 px): nothing overflows sideways, secondary actions do not look like
// primary ones, and a screenshot of each lands in artifacts/pages/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS,
  accessibility,
  addVirtualAuthenticator,
  enrolAdmin,
  freePort,
  launchBrowser,
  startServer,
} from './harness.mjs';

const WIDTHS = [1280, 390];
const SHOTS = join(ARTIFACTS, 'pages');

let server;
let browser;
/** A signed-in page (the administrator's browser). */
let page;
/** Its virtual authenticator (holding the administrator's passkey). */
let authenticator;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage();
  authenticator = await addVirtualAuthenticator(page);
  await enrolAdmin(page, server);
});

after(async () => {
  await browser?.close();
  if (server) await server.stop();
});

/** Loads `path` at each width, screenshots it and checks it fits. */
async function look(p, name, path, { status } = {}) {
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    if (path !== null) {
      const res = await p.goto(`${server.base}${path}`);
      if (status !== undefined) assert.equal(res.status(), status, `${name}: status`);
    }
    await p.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    if (width === WIDTHS[0]) {
      await p.emulateMedia({ colorScheme: 'dark' });
      await p.screenshot({ path: join(SHOTS, `${name}-${width}-dark.png`), fullPage: true });
      await p.emulateMedia({ colorScheme: 'light' });
      await accessibility(p, name);
    }
    const overflow = await p.evaluate(() => {
      const doc = document.documentElement;
      const wide = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${el.className}` : ''}`);
      return { scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 5) };
    });
    assert.ok(
      overflow.scroll <= overflow.client,
      `${name} at ${width} px is ${overflow.scroll - overflow.client} px too wide (${overflow.wide.join(', ')})`,
    );
  }
}

/** The computed background of an element: a secondary action is not filled like a primary one. */
async function background(p, selector) {
  return p.$eval(selector, (el) => getComputedStyle(el).backgroundColor);
}

test('the public pages fit a phone and a desktop', async () => {
  // One browser profile: the administrator's cookies are put back afterwards,
  // or the next test's pages would land on sign-in and autofill would sign in
  // (and navigate) while they are being measured.
  const signedIn = await browser.cookies();
  const anon = await browser.newPage();
  await browser.clearCookies();
  try {
    await look(anon, 'home', '/');
    await look(anon, 'signin', '/signin');
    await look(anon, 'not-found', '/no/such/page', { status: 404 });
    await look(anon, 'dead-invitation', '/invite/lki_nothing', { status: 410 });
  } finally {
    await anon.close();
    await browser.clearCookies();
    await browser.addCookies(signedIn);
  }
});

test('the signed-in pages fit a phone and a desktop', async () => {
  // enrolAdmin left the page on onboarding, whose codes are shown once.
  await look(page, 'onboarding', null);
  await look(page, 'account', '/account');
  await look(page, 'passkey-here', '/account/passkeys/here');
  await look(page, 'stepup', '/stepup?next=/account');
  // The administrator, just enrolled (a fresh passkey confirmation): the
  // console's approval queue, empty on a new instance.
  await look(page, 'admin-approvals', '/admin/approvals', { status: 200 });
  // The audit log holds the enrolment's own events; its filter refused.
  await look(page, 'admin-audit', '/admin/audit', { status: 200 });
  await look(page, 'admin-audit-refused', '/admin/audit?from=yesterday', { status: 400 });
  await look(page, 'admin-users', '/admin/users', { status: 200 });
  const mine = await page.$eval('#users a', (a) => a.getAttribute('href'));
  await look(page, 'admin-user', mine, { status: 200 });
  await look(page, 'admin-dashboard', '/admin/dashboard', { status: 200 });
  await look(page, 'admin-policies', '/admin/policies', { status: 200 });
  // A policy created through its dry run, its page, and an edit that
  // relaxes a rule: the dry run says it needs approval.
  await page.fill('#policy-name', 'hardware');
  await page.check('#create input[name=device_bound]');
  await Promise.all([page.waitForNavigation(), page.click('#create button[type=submit]')]);
  await page.waitForSelector('#confirm');
  await look(page, 'admin-policy-preview', null);
  await Promise.all([page.waitForNavigation(), page.click('#confirm button[type=submit]')]);
  await page.waitForSelector('#flash');
  await look(page, 'admin-policy', null);
  await page.uncheck('#edit input[name=device_bound]');
  await Promise.all([page.waitForNavigation(), page.click('#edit button[type=submit]')]);
  await page.waitForSelector('#needs-approval');
  await look(page, 'admin-policy-preview-weakening', null);
  await look(page, 'admin-recovery-policies', '/admin/recovery-policies', { status: 200 });
  await look(page, 'admin-recovery-policy', '/admin/recovery-policies/elevated/recover_account', { status: 200 });
  await look(page, 'admin-keys', '/admin/keys', { status: 200 });
  await look(page, 'admin-settings', '/admin/settings', { status: 200 });
  await look(page, 'admin-branding', '/admin/branding', { status: 200 });
  // An invitation from the console: the link shown once.
  await page.goto(`${server.base}/admin/users`);
  await page.click('#invite summary');
  await page.fill('#invite-email', 'fay@example.com');
  await Promise.all([page.waitForNavigation(), page.click('#invite button[type=submit]')]);
  await page.waitForSelector('#invitation-link');
  await look(page, 'admin-invited', null);
  // Applications: empty, then one registered from the console (its secret
  // shown once), its page, and a refused change.
  await look(page, 'admin-clients-empty', '/admin/clients', { status: 200 });
  await page.click('#register summary');
  await page.fill('#client-name', 'Payroll');
  await page.fill('#client-redirect-uris', 'https://payroll.example.com/oidc/callback');
  await Promise.all([page.waitForNavigation(), page.click('#register button[type=submit]')]);
  await page.waitForSelector('#client-secret');
  await look(page, 'admin-client-registered', null);
  await look(page, 'admin-clients', '/admin/clients', { status: 200 });
  const app = await page.$eval('#clients a', (a) => a.getAttribute('href'));
  await look(page, 'admin-client', app, { status: 200 });
  await page.fill('#client-redirect-uris', 'http://payroll.example.com/callback');
  await Promise.all([page.waitForNavigation(), page.click('#settings button[type=submit]')]);
  await page.waitForSelector('#error');
  await look(page, 'admin-client-refused', null);
});

test('secondary actions look different from primary ones', async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.base}/account/passkeys/here?next=/account`);
  const primary = await background(page, 'main button, main .button:not(.secondary)');
  const secondary = await page.$$eval('main a.secondary, main .secondary', (els) =>
    els.map((el) => getComputedStyle(el).backgroundColor),
  );
  assert.ok(secondary.length > 0, 'the page has a secondary action');
  for (const bg of secondary) assert.notEqual(bg, primary, 'a secondary action is not filled like the primary one');
});

const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

test('the account page with two sessions and an allowed app, and /signin when signed in, fit a phone and a desktop', async () => {
  // An app the administrator allows on the consent page (third-party). Nothing
  // listens at its redirect URI: the browser only has to be sent there.
  const port = await freePort();
  const redirectUri = `http://localhost:${port}/callback`;
  const out = await server.cli('client', 'create', '--name', 'Expense reports', '--redirect-uri', redirectUri);
  const clientId = out.match(/^client_id: (\S+)$/m)?.[1];
  assert.ok(clientId, out);
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    state: 'pages-test',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.base}/authorize?${query}`);
  await look(page, 'consent', null);
  // The same request in a browser that is not signed in: the sign-in page
  // names the application.
  const stranger = await launchBrowser();
  try {
    const strangerPage = await stranger.newPage();
    await strangerPage.goto(`${server.base}/authorize?${query}`);
    assert.match(await strangerPage.textContent('#requesting-app'), /Expense reports/);
    await look(strangerPage, 'signin-for-app', null);
  } finally {
    await stranger.close();
  }
  await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(`${redirectUri}?`)),
    page.click('#allow'),
  ]);

  // A second session: another browser (an iPhone's Safari, by its
  // User-Agent) with a copy of the passkey signs in through autofill.
  const phone = await launchBrowser();
  try {
    const phonePage = await phone.newPage();
    const phoneAuth = await addVirtualAuthenticator(phonePage);
    await phoneAuth.cdp.send('Network.setUserAgentOverride', { userAgent: SAFARI_IPHONE });
    const { credentials } = await authenticator.cdp.send('WebAuthn.getCredentials', {
      authenticatorId: authenticator.authenticatorId,
    });
    assert.equal(credentials.length, 1);
    await phoneAuth.cdp.send('WebAuthn.addCredential', {
      authenticatorId: phoneAuth.authenticatorId,
      credential: credentials[0],
    });
    await Promise.all([phonePage.waitForURL('**/account'), phonePage.goto(`${server.base}/signin`)]);
  } finally {
    await phone.close();
  }

  await look(page, 'account-sessions', '/account');
  const sessions = page.locator('#sessions tbody tr');
  assert.equal(await sessions.count(), 2, await page.textContent('#sessions'));
  const here = page.locator('#sessions tbody tr', { hasText: 'This device' });
  assert.equal(await here.count(), 1);
  assert.match(await here.textContent(), /Chrome on Linux/);
  const other = page.locator('#sessions tbody tr', { hasText: 'Safari on iPhone' });
  assert.equal(await other.count(), 1, await page.textContent('#sessions'));
  assert.equal(await other.locator('button', { hasText: 'Sign out' }).count(), 1);
  const app = page.locator('#apps tbody tr', { hasText: 'Expense reports' });
  assert.match(await app.textContent(), /your email address/);
  assert.doesNotMatch(await app.textContent(), /openid/);

  // /signin for a signed-in user: who, Continue, or someone else.
  await look(page, 'signin-signed-in', '/signin?next=/account');
  assert.match(await page.textContent('#signed-in-as'), /You are signed in as ada/);
  assert.equal(await page.getAttribute('#continue', 'href'), '/account');
  assert.notEqual(
    await background(page, '#switch-account'),
    await background(page, '#continue'),
    '"Sign in as someone else" is a secondary action',
  );

  // Signing the phone out from the account page leaves one session.
  await page.goto(`${server.base}/account`);
  await Promise.all([
    page.waitForURL('**/account?done=signed-out-one'),
    other.locator('button', { hasText: 'Sign out' }).click(),
  ]);
  assert.equal(await page.locator('#sessions tbody tr').count(), 1);
});

test('the account page with a pending passkey change, the e-mail section and the verification page fit a phone and a desktop', async () => {
  // Another founding administrator, invited with an address: an elevated
  // account, so a new passkey waits out the cooling-off delay.
  const out = await server.cli('user', 'invite', '--admin', 'hal@example.com');
  const link = out.match(/http:\/\/\S+\/invite\/lki_\S+/)[0];
  const other = await launchBrowser();
  try {
    const hal = await other.newPage();
    const halsKey = await addVirtualAuthenticator(hal);
    await hal.goto(link);
    await hal.fill('#display_name', 'Hal Example');
    await Promise.all([hal.waitForURL('**/onboarding'), hal.click('#create-passkey')]);
    await hal.goto(`${server.base}/account`);
    // The authenticator would refuse a second passkey for an account it
    // already holds one of (excludeCredentials): the new one replaces it
    // there (the page needs no more ceremonies).
    await halsKey.cdp.send('WebAuthn.clearCredentials', { authenticatorId: halsKey.authenticatorId });
    await hal.fill('#new-passkey-label', 'Work laptop');
    await Promise.all([hal.waitForURL('**/account?done=add-pending'), hal.click('[data-add-passkey]')]);
    await look(hal, 'account-pending-change', null);
    const pending = hal.locator('#pending tbody tr');
    assert.equal(await pending.count(), 1);
    assert.match(await pending.textContent(), /Work laptop.*inactive until the request completes/s);
    assert.match(await pending.textContent(), /in 2[34] hours/);
    assert.equal(await hal.locator('#passkeys tbody tr').count(), 1, 'the pending passkey is not listed as usable');
    assert.match(await hal.textContent('#email'), /hal@example\.com · not verified/);

    await Promise.all([
      hal.waitForURL('**/account?done=email-sent'),
      hal.click('form[action="/account/email/verification"] button'),
    ]);
    await look(hal, 'account-email-sent', null);
    await look(hal, 'email-verify', '/email/verify#lkv_shown-in-the-mail');
  } finally {
    await other.close();
  }
});
