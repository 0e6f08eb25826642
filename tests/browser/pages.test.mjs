// Every page a person sees, at a desktop width (1280 px) and a phone width
// (390 px): nothing overflows sideways, secondary actions do not look like
// primary ones, and a screenshot of each lands in artifacts/pages/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, addVirtualAuthenticator, enrolAdmin, launchBrowser, startServer } from './harness.mjs';

const WIDTHS = [1280, 390];
const SHOTS = join(ARTIFACTS, 'pages');

let server;
let browser;
/** A signed-in page (the administrator's browser). */
let page;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage();
  await addVirtualAuthenticator(page);
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
