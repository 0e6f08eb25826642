// The main pages in German and in Arabic (right to left), at a desktop and a
// phone width: axe-core finds no serious or critical violation in light or
// dark mode, nothing overflows sideways, `<html lang dir>` is set, and an
// Arabic page is mirrored. Screenshots land in artifacts/pages/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
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

const WIDTHS = [1280, 390];
const SHOTS = join(ARTIFACTS, 'pages');

let server;
let browser;
/** The administrator's page (signed in). */
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

/**
 * Loads `path` (or keeps the page when `null`) at each width, in `lang`:
 * screenshots, the page's language and direction, accessibility, overflow.
 */
async function look(p, lang, name, path, { status } = {}) {
  const shot = `${lang}-${name}`;
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    if (path !== null) {
      const res = await p.goto(`${server.base}${path}`);
      if (status !== undefined) assert.equal(res.status(), status, `${shot}: status`);
    }
    const html = await p.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
    assert.deepEqual(html, { lang, dir: lang === 'ar' ? 'rtl' : 'ltr' }, `${shot}: <html lang dir>`);
    await p.screenshot({ path: join(SHOTS, `${shot}-${width}.png`), fullPage: true });
    if (width === WIDTHS[0]) {
      await p.emulateMedia({ colorScheme: 'dark' });
      await p.screenshot({ path: join(SHOTS, `${shot}-${width}-dark.png`), fullPage: true });
      await p.emulateMedia({ colorScheme: 'light' });
      await accessibility(p, shot);
    }
    const overflow = await p.evaluate(() => {
      const doc = document.documentElement;
      const wide = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1 || el.getBoundingClientRect().left < -1)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`);
      return { scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 5) };
    });
    assert.ok(
      overflow.scroll <= overflow.client && overflow.wide.length === 0,
      `${shot} at ${width} px overflows (${overflow.wide.join(', ')})`,
    );
  }
}

/** A third-party application and an authorization request of its. */
async function consentRequest() {
  const port = await freePort();
  const redirectUri = `http://localhost:${port}/callback`;
  const out = await server.cli('client', 'create', '--name', 'Expense reports', '--redirect-uri', redirectUri);
  const clientId = out.match(/^client_id: (\S+)$/m)?.[1];
  assert.ok(clientId, out);
  return new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    state: 'languages-test',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
}

for (const [lang, words] of [
  ['de', { signin: 'Mit einem Passkey anmelden', account: 'Passkeys', allow: 'Erlauben' }],
  ['ar', { signin: 'تسجيل الدخول بمفتاح مرور', account: 'مفاتيح المرور', allow: 'سماح' }],
]) {
  test(`the main pages in ${lang} are accessible and fit a phone and a desktop`, async () => {
    const query = await consentRequest();
    const invite = await server.cli('user', 'invite', `${lang}-person@example.com`);
    const link = invite.match(/http:\/\/\S+\/invite\/lki_\S+/)[0];

    // Signed out: sign-in, enrolment from an invitation, an error page.
    const stranger = await launchBrowser();
    try {
      const anon = await stranger.newPage();
      await anon.setExtraHTTPHeaders({ 'accept-language': `${lang},en;q=0.5` });
      await look(anon, lang, 'signin', '/signin');
      assert.equal((await anon.textContent('#passkey-button')).trim(), words.signin);
      await look(anon, lang, 'enrol', new URL(link).pathname);
      await look(anon, lang, 'not-found', '/no/such/page', { status: 404 });
      await look(anon, lang, 'recover', '/recover');
      // The application's own request names the language: ui_locales wins
      // over the browser's.
      const other = lang === 'de' ? 'ar' : 'de';
      await anon.goto(`${server.base}/authorize?${query}&ui_locales=${other}`);
      assert.equal(await anon.evaluate(() => document.documentElement.lang), other);
      assert.match(await anon.textContent('#requesting-app'), /Expense reports/);
    } finally {
      await stranger.close();
    }

    // Signed in: the account page, step-up, consent.
    await page.setExtraHTTPHeaders({ 'accept-language': lang });
    try {
      await look(page, lang, 'account', '/account');
      assert.ok((await page.textContent('main')).includes(words.account));
      await look(page, lang, 'stepup', '/stepup?next=/account');
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${server.base}/authorize?${query}`);
      assert.equal((await page.textContent('#allow')).trim(), words.allow);
      await look(page, lang, 'consent', null);
      // The sign-out confirmation (RP-initiated logout without a hint).
      await look(page, lang, 'logout', '/logout');
    } finally {
      await page.setExtraHTTPHeaders({});
    }
  });
}

test('an Arabic page is mirrored: right to left, start-aligned content at the right', async () => {
  const stranger = await launchBrowser();
  try {
    const p = await stranger.newPage();
    await p.setExtraHTTPHeaders({ 'accept-language': 'ar' });
    for (const width of WIDTHS) {
      await p.setViewportSize({ width, height: 900 });
      await p.goto(`${server.base}/signin`);
      const layout = await p.evaluate(() => {
        const mainEl = document.querySelector('main');
        const main = mainEl.getBoundingClientRect();
        const style = getComputedStyle(mainEl);
        const inset = (side) => parseFloat(style[`padding${side}`]) + parseFloat(style[`border${side}Width`]);
        const button = document.getElementById('passkey-button').getBoundingClientRect();
        const label = document.querySelector('label[for=username]');
        const range = document.createRange();
        range.selectNodeContents(label);
        const text = range.getBoundingClientRect();
        return {
          direction: getComputedStyle(document.body).direction,
          // The content box: where a line starts and ends.
          mainLeft: main.left + inset('Left'),
          mainRight: main.right - inset('Right'),
          buttonLeft: button.left,
          buttonRight: button.right,
          labelLeft: text.left,
          labelRight: text.right,
        };
      });
      assert.equal(layout.direction, 'rtl');
      // The start of a line is the right edge of <main>'s content box.
      assert.ok(layout.buttonRight >= layout.mainRight - 1, `button at the right: ${JSON.stringify(layout)}`);
      assert.ok(layout.labelRight >= layout.mainRight - 1, `label at the right: ${JSON.stringify(layout)}`);
      assert.ok(layout.labelLeft - layout.mainLeft > 32, `label not at the left: ${JSON.stringify(layout)}`);
    }
  } finally {
    await stranger.close();
  }
});
