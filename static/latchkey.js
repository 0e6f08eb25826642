// Latchkey pages' only script. Loaded with `defer`; no inline script anywhere
// (the CSP forbids it). Each page says what it needs with data-* attributes.
'use strict';

(() => {
  const b64u = {
    encode(buf) {
      const bytes = new Uint8Array(buf);
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    },
    decode(str) {
      const pad = '='.repeat((4 - (str.length % 4)) % 4);
      const bin = atob(str.replace(/-/g, '+').replace(/_/g, '/') + pad);
      return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
    },
  };

  // The page's messages in its language (`data-messages` on <body>), by key.
  let messages = null;
  const M = (key) => {
    if (messages === null) {
      try {
        messages = JSON.parse(document.body?.dataset.messages || '{}');
      } catch {
        messages = {};
      }
    }
    return messages[key] ?? key;
  };

  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';
  const status = (text, isError = false) => {
    const el = document.getElementById('status');
    if (!el) return;
    el.textContent = text;
    el.classList.toggle('error', isError);
  };

  async function post(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() },
      body: JSON.stringify(body ?? {}),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error(json.message || M('js-request-failed'));
      err.code = json.error;
      throw err;
    }
    return json;
  }

  function creationOptions(pk) {
    const o = structuredClone(pk);
    o.challenge = b64u.decode(o.challenge);
    o.user.id = b64u.decode(o.user.id);
    o.excludeCredentials = (o.excludeCredentials ?? []).map((c) => ({ ...c, id: b64u.decode(c.id) }));
    return o;
  }

  function requestOptions(pk) {
    const o = structuredClone(pk);
    o.challenge = b64u.decode(o.challenge);
    o.allowCredentials = (o.allowCredentials ?? []).map((c) => ({ ...c, id: b64u.decode(c.id) }));
    return o;
  }

  function registrationJSON(cred) {
    return {
      id: cred.id,
      rawId: b64u.encode(cred.rawId),
      type: cred.type,
      response: {
        attestationObject: b64u.encode(cred.response.attestationObject),
        clientDataJSON: b64u.encode(cred.response.clientDataJSON),
        transports: cred.response.getTransports ? cred.response.getTransports() : [],
      },
      extensions: cred.getClientExtensionResults(),
    };
  }

  function assertionJSON(cred) {
    const r = cred.response;
    return {
      id: cred.id,
      rawId: b64u.encode(cred.rawId),
      type: cred.type,
      response: {
        authenticatorData: b64u.encode(r.authenticatorData),
        clientDataJSON: b64u.encode(r.clientDataJSON),
        signature: b64u.encode(r.signature),
        userHandle: r.userHandle ? b64u.encode(r.userHandle) : null,
      },
      extensions: cred.getClientExtensionResults(),
    };
  }

  // Only a path on this origin is ever followed (no open redirect). The
  // address is resolved the way the browser will resolve it: tab, LF and CR
  // are dropped and a backslash reads as `/`, so `/<TAB>/host` or `/\host` name
  // another host and are refused, as is a path starting with `//`.
  const sameOriginPath = (target, fallback = '/account') => {
    if (typeof target !== 'string' || !target.startsWith('/')) return fallback;
    let url;
    try {
      url = new URL(target, window.location.origin);
    } catch {
      return fallback;
    }
    if (url.origin !== window.location.origin || url.pathname.startsWith('//')) return fallback;
    return url.pathname + url.search + url.hash;
  };
  const go = (target) => window.location.assign(sameOriginPath(target));

  const describe = (e) =>
    e?.name === 'NotAllowedError' ? M('js-cancelled') : e?.message || String(e);

  // ---- sign-in: autofill (conditional) on load, modal on the button ----
  async function signIn(flowHint, signal) {
    const start = await post('/signin/options');
    const options = { publicKey: requestOptions(start.publicKey) };
    if (flowHint === 'autofill') {
      options.mediation = 'conditional';
      options.signal = signal;
    }
    const cred = await navigator.credentials.get(options);
    const flow =
      flowHint === 'autofill' ? 'autofill' : cred.authenticatorAttachment === 'cross-platform' ? 'cross-device' : 'modal';
    status(M('js-signing-in'));
    const done = await post('/signin/finish', {
      ceremony: start.ceremony,
      credential: assertionJSON(cred),
      flow,
      next: document.body.dataset.next || null,
    });
    go(done.redirect);
  }

  function setUpSignIn() {
    let conditional = null;
    const startConditional = async () => {
      if (!window.PublicKeyCredential?.isConditionalMediationAvailable) return;
      if (!(await PublicKeyCredential.isConditionalMediationAvailable())) return;
      conditional = new AbortController();
      try {
        await signIn('autofill', conditional.signal);
      } catch (e) {
        if (e?.name !== 'AbortError') status(describe(e), true);
      }
    };
    document.getElementById('passkey-button')?.addEventListener('click', async (ev) => {
      ev.preventDefault();
      conditional?.abort();
      status(M('js-follow-prompt'));
      try {
        await signIn('modal');
      } catch (e) {
        status(describe(e), true);
      }
    });
    // Fire the conditional request without holding up rendering.
    setTimeout(startConditional, 0);
  }

  // ---- registration: enrolment, adding a passkey, a passkey "here" ----
  async function register(startUrl, finishUrl, extra) {
    const start = await post(startUrl, extra);
    const cred = await navigator.credentials.create({ publicKey: creationOptions(start.publicKey) });
    status(M('js-saving-passkey'));
    const done = await post(finishUrl, {
      ceremony: start.ceremony,
      credential: registrationJSON(cred),
      next: document.body.dataset.next || null,
    });
    go(done.redirect);
  }

  function setUpEnrol() {
    const form = document.getElementById('enrol-form');
    form?.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      status(M('js-follow-prompt'));
      try {
        await register('/enrol/options', '/enrol/finish', {
          grant: form.dataset.grant,
          token: form.dataset.token || null,
          username: form.elements.username.value,
          display_name: form.elements.display_name.value,
        });
      } catch (e) {
        status(describe(e), true);
      }
    });
  }

  // `base` names the ceremony's endpoints (`base`/options, `base`/finish);
  // `extra` goes with both requests (e.g. the authorization request id).
  async function stepUp(base = '/stepup', extra = {}) {
    const start = await post(`${base}/options`, extra);
    const cred = await navigator.credentials.get({ publicKey: requestOptions(start.publicKey) });
    await post(`${base}/finish`, { ...extra, ceremony: start.ceremony, credential: assertionJSON(cred) });
  }

  function setUpAddPasskey() {
    for (const button of document.querySelectorAll('[data-add-passkey]')) {
      button.addEventListener('click', async (ev) => {
        ev.preventDefault();
        status(M('js-follow-prompt'));
        const label = document.getElementById('new-passkey-label')?.value || '';
        const attempt = () => register('/account/passkeys/options', '/account/passkeys/finish', { label });
        try {
          await attempt();
        } catch (e) {
          if (e.code !== 'step_up_required') return status(describe(e), true);
          try {
            status(M('js-confirm-first'));
            await stepUp();
            status(M('js-now-create'));
            await attempt();
          } catch (e2) {
            status(describe(e2), true);
          }
        }
      });
    }
  }

  function setUpStepUp() {
    const button = document.getElementById('stepup-button');
    button?.addEventListener('click', async (ev) => {
      ev.preventDefault();
      status(M('js-follow-prompt'));
      try {
        const extra = button.dataset.request ? { id: button.dataset.request } : {};
        await stepUp(button.dataset.endpoint || '/stepup', extra);
        go(document.body.dataset.next || '/account');
      } catch (e) {
        status(describe(e), true);
      }
    });
  }

  // ---- recovery: the new passkey, and the links of notices ----
  function setUpRecoverEnrol() {
    document.getElementById('create-passkey')?.addEventListener('click', async (ev) => {
      ev.preventDefault();
      status(M('js-follow-prompt'));
      try {
        await register('/recover/enrol/options', '/recover/enrol/finish', {});
      } catch (e) {
        status(describe(e), true);
      }
    });
  }

  // The token is in the fragment (never sent anywhere by the browser): move
  // it into the form and off the address bar. Only the button acts.
  function setUpLinkForm() {
    const form = document.querySelector('form[data-link-form]');
    if (!form) return;
    const token = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, '', location.pathname);
    form.elements.token.value = token;
    if (!token) {
      form.querySelector('button').disabled = true;
      const p = document.createElement('p');
      p.className = 'notice error';
      p.textContent = M('js-link-incomplete');
      form.before(p);
    }
  }

  // A page that waits on something (the recovery's waiting period,
  // approvals) reloads itself while it is shown; a script rather than a
  // meta refresh, so it never reloads under someone reading a hidden tab
  // and assistive technology is not surprised (WCAG 2.2.1).
  function setUpAutoRefresh() {
    const note = document.getElementById('auto-refresh');
    if (!note) return;
    const seconds = Number(note.dataset.seconds) || 10;
    const tick = () => {
      if (document.visibilityState === 'visible') window.location.reload();
      else setTimeout(tick, seconds * 1000);
    };
    setTimeout(tick, seconds * 1000);
  }

  // The helpers other page scripts (the admin console's) build on.
  window.Latchkey = Object.freeze({ post, status, requestOptions, assertionJSON, describe, go, stepUp, M });

  const pages = {
    signin: setUpSignIn,
    enrol: setUpEnrol,
    account: setUpAddPasskey,
    onboarding: setUpAddPasskey,
    'passkey-here': setUpAddPasskey,
    stepup: setUpStepUp,
    'recover-enrol': setUpRecoverEnrol,
    'recovery-link': setUpLinkForm,
    'recover-status': setUpAutoRefresh,
  };
  const run = () => pages[document.body.dataset.page]?.();
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
  else run();
})();
