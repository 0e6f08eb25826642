// The admin console's script: decisions on a guarded-action request. Each
// decision runs the approval ceremony (a passkey assertion whose challenge
// is bound to this request), then posts the result with the comment.
// Builds on the helpers of latchkey.js (loaded first, both deferred).
'use strict';

(() => {
  const lk = window.Latchkey;
  if (!lk) return;

  async function decide(request, decision, comment) {
    const base = `/admin/approvals/${encodeURIComponent(request)}`;
    const start = await lk.post(`${base}/ceremony`);
    const cred = await navigator.credentials.get({ publicKey: lk.requestOptions(start.publicKey) });
    lk.status(lk.M('js-recording-decision'));
    return lk.post(`${base}/${decision}`, {
      ceremony: start.ceremony,
      credential: lk.assertionJSON(cred),
      comment,
    });
  }

  function setUpDecision() {
    const panel = document.getElementById('decision');
    if (!panel) return;
    for (const button of panel.querySelectorAll('button[data-decision]')) {
      button.addEventListener('click', async (ev) => {
        ev.preventDefault();
        const decision = button.dataset.decision === 'deny' ? 'deny' : 'approve';
        const comment = document.getElementById('decision-comment')?.value || '';
        lk.status(lk.M('js-confirm-decision'));
        try {
          const done = await decide(panel.dataset.request, decision, comment);
          lk.go(done.redirect);
        } catch (e) {
          lk.status(lk.describe(e), true);
        }
      });
    }
  }

  const run = () => {
    if (document.body.dataset.page === 'admin-approval') setUpDecision();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
  else run();
})();
