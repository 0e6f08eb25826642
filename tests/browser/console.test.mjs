// The administrators' console with two administrators, each in a browser of
// their own: A invites a user from the console (the dashboard's "Invited"
// goes up), the user enrols, A asks for the approver role for them, B
// approves in the console, A rotates the signing keys and exports the audit
// log as CSV, which holds the grant. Screenshots of the account page's
// change forms, the request it opened and the keys page, at a desktop and a
// phone width, land in artifacts/console/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessibility, ARTIFACTS, addVirtualAuthenticator, enrolAdmin, launchBrowser, startServer } from './harness.mjs';

const WIDTHS = [1280, 390];
const SHOTS = join(ARTIFACTS, 'console');

let server;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // A role takes effect as soon as one approver agrees (the default waits a
  // day first).
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-console-config-'));
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
});

after(async () => {
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

/** Opens a console page, confirming with the passkey first when asked to. */
async function open(page, path) {
  await page.goto(`${server.base}${path}`);
  if (page.url().includes('/stepup')) {
    await Promise.all([page.waitForURL(`**${path}`), page.click('#stepup-button')]);
  }
  await accessibility(page, path);
}

/** The dashboard's "Invited" count (0 while the funnel is empty). */
async function invited(page) {
  await open(page, '/admin/dashboard');
  const rows = await page.$$eval('#funnel tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
  const row = rows.find((cells) => cells[0] === 'Invited');
  return row ? Number(row[1]) : 0;
}

/** Enrols from an invitation link in `page`. */
async function enrolInvited(page, link, name) {
  await page.goto(link);
  await page.fill('#display_name', name);
  await Promise.all([page.waitForURL('**/onboarding'), page.click('#create-passkey')]);
}

test('two administrators grant a role with an approval, rotate the keys and export the audit log', async () => {
  const as = await launchBrowser();
  const bs = await launchBrowser();
  const users = await launchBrowser();
  try {
    const a = await as.newPage();
    await addVirtualAuthenticator(a);
    await enrolAdmin(a, server);
    const bLink = (await server.cli('user', 'invite', '--admin', 'bea@example.com')).match(/http:\/\/\S+\/invite\/lki_\S+/)[0];
    const b = await bs.newPage();
    await addVirtualAuthenticator(b);
    await enrolInvited(b, bLink, 'Bea Example');

    // A invites Cy from the console: the funnel counts one more invitation.
    const before = await invited(a);
    await open(a, '/admin/users');
    await a.click('#invite summary');
    await a.fill('#invite-email', 'carol@example.com');
    await Promise.all([a.waitForNavigation(), a.click('#invite button[type=submit]')]);
    const link = (await a.textContent('#invitation-link')).trim();
    assert.equal(await invited(a), before + 1);
    const cy = await users.newPage();
    await addVirtualAuthenticator(cy);
    await enrolInvited(cy, link, 'Carol Example');

    // A asks for the approver role for Cy: a request, not a change.
    await open(a, '/admin/users?q=carol');
    const cyPage = await a.$eval('#users a', (el) => el.getAttribute('href'));
    await open(a, cyPage);
    await shoot(a, 'user-changes');
    await Promise.all([a.waitForURL('**done=requested**'), a.click('#grant-approver button')]);
    const requestHref = await a.getAttribute('#requested', 'href');
    const requestId = requestHref.split('/').pop();
    assert.match(await a.textContent('#requests'), /Grant a role/);
    assert.ok(await a.$('#requests tr[data-action="grant_role"]'));
    assert.match(await a.textContent('.facts'), /Roles\s*none/);
    await shoot(a, 'user-requested');

    // B approves in their own browser; the role is Cy's at once.
    await open(b, `/admin/approvals/${requestId}`);
    await b.fill('#decision-comment', 'Cy runs the on-call rota now.');
    await Promise.all([
      b.waitForURL(`**/admin/approvals/${requestId}?done=approved`),
      b.click('button[data-decision="approve"]'),
    ]);
    await open(a, cyPage);
    assert.match(await a.textContent('.facts'), /Roles\s*approver/);

    // A rotates the signing keys.
    await open(a, '/admin/keys');
    const activeBefore = await a.getAttribute('#keys tr[data-state="active"]', 'data-kid');
    await shoot(a, 'keys');
    await Promise.all([a.waitForURL('**/admin/keys?done=rotated'), a.click('#rotate button')]);
    assert.equal(await a.getAttribute(`#keys tr[data-kid="${activeBefore}"]`, 'data-state'), 'retired');
    await shoot(a, 'keys-rotated');

    // A exports the audit log as CSV: it holds the grant.
    await open(a, '/admin/audit');
    const href = await a.getAttribute('#export-csv', 'href');
    const res = await a.request.get(`${server.base}${href}`);
    assert.equal(res.status(), 200);
    const csv = await res.text();
    assert.match(csv, /user\.role_granted/);
    assert.match(csv, /grant_role/);
    assert.match(csv, /signing_key\.activated/);
  } finally {
    await as.close();
    await bs.close();
    await users.close();
  }
});
