// Shared set-up for the browser tests: a real `latchkey serve` on a free port
// with its own data directory, and Debian's Chromium driven by playwright-core.
// WebAuthn needs a secure context, so pages are loaded from http://localhost.

import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const here = new URL('.', import.meta.url).pathname;
export const ARTIFACTS = resolve(here, 'artifacts');
const BINARY = process.env.LATCHKEY_BIN ?? resolve(here, '../../target/debug/latchkey');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function freePort() {
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

/** Starts the server; resolves once it logs "listening". */
export async function startServer(extraEnv = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-browser-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  // Backends the environment names for tests, as in the Rust suites: on
  // PostgreSQL a fresh schema per server, dropped when it stops.
  let schema = null;
  const admin = process.env.LATCHKEY_TEST_DATABASE_URL;
  if (admin) {
    schema = `b_${port}_${Date.now()}`;
    await promisify(execFile)('psql', [admin, '-q', '-c', `CREATE SCHEMA ${schema}`]);
    const sep = admin.includes('?') ? '&' : '?';
    env.LATCHKEY_DATABASE_URL = `${admin}${sep}options=-csearch_path%3D${schema}`;
  }
  if (process.env.LATCHKEY_TEST_REDIS_URL) {
    env.LATCHKEY_REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL;
    env.LATCHKEY_REDIS_PREFIX = `lkbrowser:${port}:`;
  }
  Object.assign(env, {
    LATCHKEY_LISTEN: `127.0.0.1:${port}`,
    LATCHKEY_ISSUER: `http://localhost:${port}`,
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_LOG_FORMAT: 'json',
    ...extraEnv,
  });
  const child = spawn(BINARY, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${output.join('')}`)), 30_000);
    child.on('exit', (code) => fail(new Error(`server exited with ${code}:\n${output.join('')}`)));
    const onData = (chunk) => {
      output.push(chunk.toString());
      if (output.join('').includes('"message":"listening"')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => output.push(c.toString()));
  });
  child.removeAllListeners('exit');
  const bootstrap = output.join('').match(/https?:\/\/[^\s"]+\/bootstrap\/lkb_[A-Za-z0-9_-]+/);
  return {
    base: `http://localhost:${port}`,
    bootstrapUrl: bootstrap ? bootstrap[0] : null,
    output,
    /** Runs a `latchkey` command against this server's instance. */
    async cli(...args) {
      const { stdout } = await promisify(execFile)(BINARY, args, { env });
      return stdout;
    },
    async stop() {
      const exited = new Promise((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
      child.kill('SIGTERM');
      const result = await exited;
      if (schema) await promisify(execFile)('psql', [admin, '-q', '-c', `DROP SCHEMA ${schema} CASCADE`]);
      return result;
    },
  };
}

/** Launches Chromium with the flags this environment needs. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'latchkey-chromium-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Attaches a CTAP2 platform authenticator with resident keys and UV. */
export async function addVirtualAuthenticator(page, options = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      ...options,
    },
  });
  return { cdp, authenticatorId };
}

/** Enrols the first administrator through the bootstrap link in `page`. */
export async function enrolAdmin(page, server, username = 'ada', name = 'Ada Lovelace') {
  await page.goto(server.bootstrapUrl);
  await page.fill('#username', username);
  await page.fill('#display_name', name);
  await Promise.all([page.waitForURL('**/onboarding'), page.click('#create-passkey')]);
}

/** Starts the example relying party (examples/relying-party) for a client. */
export async function startRelyingParty({ port, issuer, clientId, clientSecret }) {
  const dir = resolve(here, '../../examples/relying-party');
  // Its dependencies, from its lockfile, when nothing installed them (.ci/run does).
  if (!existsSync(join(dir, 'node_modules', 'openid-client'))) {
    await promisify(execFile)('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: dir });
  }
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      LATCHKEY_ISSUER: issuer,
      RP_CLIENT_ID: clientId,
      ...(clientSecret ? { RP_CLIENT_SECRET: clientSecret } : {}),
      RP_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`relying party did not start:\n${output.join('')}`)), 30_000);
    child.on('exit', (code) => fail(new Error(`relying party exited with ${code}:\n${output.join('')}`)));
    child.stdout.on('data', (c) => {
      output.push(c.toString());
      if (output.join('').includes('listening')) {
        clearTimeout(timer);
        ok();
      }
    });
    child.stderr.on('data', (c) => output.push(c.toString()));
  });
  child.removeAllListeners('exit');
  return {
    base: `http://localhost:${port}`,
    redirectUri: `http://localhost:${port}/callback`,
    output,
    stop() {
      child.kill('SIGTERM');
    },
  };
}

/** A free port, for callers that must name a URL before starting a server. */
export { freePort };

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is, in the
 * light and the dark colour scheme. axe is evaluated through the DevTools
 * protocol, which the pages' CSP does not govern; nothing is injected into
 * the page's own scripts.
 */
export async function accessibility(p, name) {
  const found = [];
  for (const colorScheme of ['light', 'dark']) {
    await p.emulateMedia({ colorScheme });
    await p.evaluate(AXE);
    const violations = await p.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    found.push(...violations.map((v) => `[${colorScheme}] ${v}`));
  }
  await p.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(found, [], `${name}: accessibility violations`);
}
