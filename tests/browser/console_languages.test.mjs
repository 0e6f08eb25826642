// Every page of the administrators' console in German and in Arabic (right to
// left), with one administrator: each language in a browser of its own that
// asks for it (`Accept-Language`), holding the administrator's session and
// passkey. On every page, at a desktop and a phone width and in the light and
// the dark colour scheme: `<html lang dir>` is right, axe-core finds no
// serious or critical violation, nothing overflows sideways or sticks out of
// the left edge. Full-page screenshots land in artifacts/console-languages/.
//
// Run alone: cargo build -p latchkey-server && node --test console_languages.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessibility, ARTIFACTS, addVirtualAuthenticator, enrolAdmin, launchBrowser, startServer } from './harness.mjs';

const WIDTHS = [1280, 390];
const SHOTS = join(ARTIFACTS, 'console-languages');

let server;
/** The administrator's own browser, page and authenticator. */
let admin;
let adminPage;
let adminKey;
/** Where the pages that need a thing to show find one. */
const ids = {};

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The request about Bob can be opened with one passkey (as in
  // console.test.mjs).
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-console-languages-'));
  const config = join(dir, 'latchkey.toml');
  writeFileSync(
    config,
    `[recovery.standard.grant_role]
factors = 1
factor_kinds = ["passkey"]
delay = "0s"
approvals = 1
lifetime = "1h"
`,
  );
  server = await startServer({ LATCHKEY_CONFIG: config });
  admin = await launchBrowser();
  adminPage = await admin.newPage();
  adminKey = await addVirtualAuthenticator(adminPage);
  await enrolAdmin(adminPage, server);

  // Someone to look at, with a request about them (the approver role for
  // Bob, which Bea could approve), an application and an attestation
  // policy.
  await enrol(await server.cli('user', 'invite', '--admin', 'bea@example.com'), 'bea');
  await enrol(await server.cli('user', 'invite', 'bob@example.com'), 'bob');
  const created = await server.cli('client', 'create', '--name', 'Wiki', '--redirect-uri', 'https://wiki.example.com/cb');
  ids.client = created.match(/^client_id: (\S+)$/m)?.[1];
  assert.ok(ids.client, created);

  await open(adminPage, '/admin/users?q=bob');
  ids.user = (await adminPage.$eval('#users a', (el) => el.getAttribute('href'))).split('/').pop();
  await open(adminPage, `/admin/users/${ids.user}`);
  await Promise.all([adminPage.waitForURL('**done=requested**'), adminPage.click('#grant-approver button')]);
  ids.request = (await adminPage.getAttribute('#requested', 'href')).split('/').pop();

  await server.cli('policy', 'create', 'hardware', '--require-attestation', '--device-bound');
  ids.policy = '/admin/policies/hardware';
  await open(adminPage, '/admin/recovery-policies');
  ids.recoveryPolicy = await adminPage.$eval('main a[href^="/admin/recovery-policies/"]', (el) => el.getAttribute('href'));
});

after(async () => {
  await admin?.close();
  if (server) await server.stop();
});

/** Enrols someone from the invitation the CLI printed, in a browser of their own. */
async function enrol(invitation, username) {
  const link = invitation.match(/http:\/\/\S+\/invite\/lki_\S+/)[0];
  const context = await launchBrowser();
  try {
    const p = await context.newPage();
    await addVirtualAuthenticator(p);
    await p.goto(link);
    await p.fill('#username', username);
    await p.fill('#display_name', `${username} Example`);
    await Promise.all([p.waitForURL('**/onboarding'), p.click('#create-passkey')]);
  } finally {
    await context.close();
  }
}

/** Opens a console page, confirming with the passkey first when asked to. */
async function open(p, path) {
  const res = await p.goto(`${server.base}${path}`);
  if (p.url().includes('/stepup')) {
    const [back] = await Promise.all([p.waitForURL(`**${path}`), p.click('#stepup-button')]);
    return back;
  }
  return res;
}

/** The administrator's session and passkey as a browser holds them. */
async function identity(context, key) {
  const { credentials } = await key.cdp.send('WebAuthn.getCredentials', { authenticatorId: key.authenticatorId });
  return { cookies: await context.cookies(), credentials };
}

/**
 * A browser of its own asking for `lang`, signed in as the administrator
 * with their passkey (copied from the browser that last used it, so its
 * signature counter goes on rising).
 */
async function browserIn(lang, { cookies, credentials }) {
  const context = await launchBrowser();
  await context.addCookies(cookies);
  await context.setExtraHTTPHeaders({ 'accept-language': lang });
  const page = await context.newPage();
  const key = await addVirtualAuthenticator(page);
  for (const credential of credentials) {
    await key.cdp.send('WebAuthn.addCredential', { authenticatorId: key.authenticatorId, credential });
  }
  return { context, page, key };
}

/**
 * Opens `path` in `p` (and runs `then`, e.g. to open a form) and checks it
 * at each width in each colour scheme.
 */
async function look(p, lang, name, path, then = async () => {}) {
  await p.setViewportSize({ width: WIDTHS[0], height: 900 });
  const res = await open(p, path);
  assert.ok(!res || res.status() < 400, `${lang} ${name}: status ${res?.status()}`);
  assert.ok(p.url().includes(path.split('?')[0]), `${lang} ${name}: ended at ${p.url()}`);
  await then(p);
  const html = await p.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
  assert.deepEqual(html, { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' }, `${lang} ${name}: <html lang dir>`);
  await accessibility(p, `${lang} ${name}`);
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    for (const colorScheme of ['light', 'dark']) {
      await p.emulateMedia({ colorScheme });
      await p.screenshot({ path: join(SHOTS, `${lang}-${name}-${width}-${colorScheme}.png`), fullPage: true });
    }
    await p.emulateMedia({ colorScheme: 'light' });
    const overflow = await p.evaluate(() => {
      const doc = document.documentElement;
      // What of an element shows: its box cut by every ancestor that clips
      // (a stacked table's visually hidden heading row shows nothing).
      const shown = (el) => {
        const box = el.getBoundingClientRect();
        let [left, right] = [box.left, box.right];
        for (let a = el.parentElement; a; a = a.parentElement) {
          const style = getComputedStyle(a);
          if (style.overflowX !== 'visible' || style.clip !== 'auto') {
            const outer = a.getBoundingClientRect();
            [left, right] = [Math.max(left, outer.left), Math.min(right, outer.right)];
          }
        }
        return right > left ? { left, right } : null;
      };
      const wide = [...document.querySelectorAll('body *')]
        .filter((el) => {
          const box = shown(el);
          return box && (box.right > doc.clientWidth + 1 || box.left < -1);
        })
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`);
      return { scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 5) };
    });
    assert.ok(
      overflow.scroll <= overflow.client && overflow.wide.length === 0,
      `${lang} ${name} at ${width} px overflows (${overflow.wide.join(', ')})`,
    );
  }
}

/** Every console page: a name for its screenshots, its path, what to do there. */
function pages() {
  return [
    ['dashboard', '/admin/dashboard'],
    ['approvals', '/admin/approvals'],
    ['approval', `/admin/approvals/${ids.request}`],
    ['users', '/admin/users'],
    ['user', `/admin/users/${ids.user}`],
    ['clients', '/admin/clients'],
    ['client', `/admin/clients/${ids.client}`],
    ['client-new', '/admin/clients', (p) => p.click('#register summary')],
    ['keys', '/admin/keys'],
    ['policies', '/admin/policies'],
    ['policy', ids.policy],
    ['recovery-policies', '/admin/recovery-policies'],
    ['recovery-policy', ids.recoveryPolicy],
    ['audit', '/admin/audit'],
    ['settings', '/admin/settings'],
    ['branding', '/admin/branding'],
  ];
}

test('every console page in German and in Arabic is accessible and fits a phone and a desktop', async () => {
  let who = await identity(admin, adminKey);
  for (const [lang, heading] of [
    ['de', 'Konten'],
    ['ar', 'الحسابات'],
  ]) {
    const here = await browserIn(lang, who);
    try {
      for (const [name, path, then] of pages()) {
        await look(here.page, lang, name, path, then);
      }
      await open(here.page, '/admin/users');
      assert.equal((await here.page.textContent('h1')).trim(), heading);
      who = await identity(here.context, here.key);
    } finally {
      await here.context.close();
    }
  }
});
