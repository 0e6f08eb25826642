## Account recovery and the links of notices.

recover-title = Recover your account
recover-heading = Lost your passkey?
recover-intro = Name your account. If it exists, everyone who receives its notices is told at once and can cancel; you then prove it is you with a recovery code, and after a waiting period you set up a new passkey on this device.
recover-account-label = Username or email address
recover-back-to-signin = Back to sign-in
recover-keep-open = Keep this browser open: the recovery can only be finished here.
recover-name-account = Enter the username or the email address of your account.

recover-enrol-heading = Set up your new passkey
recover-enrol-intro = Your account <strong>{ $username }</strong> is recovered. Create a passkey on this device; you are then signed in and get new recovery codes, shown once.

recover-factor-heading = Prove it is you
recover-factor-progress = { $given } of { $needed } proofs given. This account needs another, of a different kind.
recover-factor-code-heading = A recovery code
recover-factor-code-intro = One of the codes you saved when you set up your account. Each works once; five wrong codes stop this recovery.
recover-factor-code-label = Recovery code
recover-factor-code-button = Use this code
recover-factor-email-heading = A link to your email
recover-factor-email-intro = If the account has a verified email address, we send it a link that works once, for 30 minutes. Open it in this browser.
recover-factor-email-button = Email me a link
recover-factor-status-link = Where this recovery stands
recover-factor-wrong-code = { $left ->
    [one] That code is not right. { $left } attempt left before this recovery stops.
   *[other] That code is not right. { $left } attempts left before this recovery stops.
}
recover-factor-link-sent = If the account has a verified email address, a link is on its way. Open it in this browser within 30 minutes.

recover-status-title = Account recovery
recover-status-time-left = Time left in the waiting period: <strong>{ $left }</strong>.
recover-status-approvals = Approvals: <strong>{ $have } of { $need }</strong>.
recover-status-missing = Still needed
recover-status-finish-intro = Finishing ends every other way into the account as its policy says (old passkeys, sessions), and lets you set up a new passkey on this device.
recover-status-finish-button = Set up a new passkey
recover-status-refresh = This page updates itself. Keep it open, or come back later in this browser.
recover-status-update-now = Update now
recover-missing-proof = Proof that it is you: a recovery code, or a link sent to your email
recover-missing-another-proof = Another proof, of a different kind
recover-missing-approvals = { $n ->
    [one] { $n } approval by { $role }s of this instance
   *[other] { $n } approvals by { $role }s of this instance
}
recover-missing-identity-check = An identity check, recorded by an approver
recover-state-requested-heading = Waiting for your proof
recover-state-requested = The account's owner has been told about this recovery and can cancel it. Prove it is you to start the waiting period.
recover-state-verifying = { $given } of { $needed } proofs given. This account needs another, of a different kind.
recover-state-waiting-heading = Waiting period
recover-state-waiting = Your proof was accepted. Nothing changes until the waiting period ends, so that the account's owner has time to cancel.
recover-state-approvals-heading = Waiting for approval
recover-state-approvals = The waiting period is over. This account's policy also needs people of this instance to confirm the recovery.
recover-state-ready-heading = Ready
recover-state-ready = Everything is in place. Finish within { $left }, in this browser.
recover-state-completed-heading = Recovered
recover-state-completed-enrol = Your account is recovered. Set up your new passkey now: this step works once, for 15 minutes.
recover-state-completed = This recovery is finished.
recover-state-cancelled-heading = Cancelled
recover-state-cancelled = This recovery was cancelled by the account's owner. Nothing changed on the account.
recover-state-denied-heading = Denied
recover-state-denied = An approver denied this recovery. Nothing changed on the account.
recover-state-expired-heading = Expired
recover-state-expired = This recovery ran out of time. Nothing changed on the account; you can start again.
recover-state-locked-heading = Stopped
recover-state-locked = Too many wrong recovery codes: this recovery is stopped, and the account's owner has been told. Nothing changed on the account.

recovery-link-needs-script = This page needs JavaScript to read the link.
recovery-link-cancel-heading = Cancel this request
recovery-link-cancel-intro = Someone asked to recover or change your account, and this link stops it. Nothing happens until you press the button.
recovery-link-cancel-button = Cancel the request
recovery-link-email-heading = Confirm it is you
recovery-link-email-intro = Use this link as proof for the recovery of your account. It works once, and only in the browser where the recovery was started.
recovery-link-email-button = Use this link
recovery-link-verify-heading = Confirm your email address
recovery-link-verify-intro = Press the button to confirm that this email address is yours. A verified address can help you recover your account if you lose your passkeys.
recovery-link-verify-button = Confirm my email address
recovery-link-verified = Your email address is verified. Thank you.
recovery-link-cancelled = The request is cancelled. Nothing changed on your account.
recovery-link-wrong-browser = Open this link in the browser where you started the recovery.

action-recover-account = Recover the account (all passkeys lost)
action-add-passkey = Add a passkey
action-remove-passkey = Remove a passkey
action-regenerate-codes = Make new recovery codes
action-change-email = Change the email address
action-grant-role = Grant a role
action-change-tier = Change the account's tier
action-weaken-policy = Weaken a policy
action-enable-account = Enable the account again

request-state-requested = requested
request-state-verifying-factors = verifying factors
request-state-waiting = waiting
request-state-awaiting-approvals = awaiting approvals
request-state-ready = ready
request-state-completed = completed
request-state-cancelled = cancelled
request-state-denied = denied
request-state-expired = expired
request-state-locked = locked

## Refusals of the recovery engine on the public pages (the English is the engine's own sentence).
refusal-expired = The request has expired.
refusal-factors-incomplete = Not every required factor has been verified.
refusal-factor-kind-not-allowed = This kind of factor does not count for this request.
refusal-factor-already-verified = This kind of factor has already been verified.
refusal-not-yet-eligible = The waiting period has not ended.
refusal-not-owner = Only the account's owner or the requester can cancel this request.
refusal-session-mismatch = The request can only be completed in the browser session that made it.
refusal-cancel-link-invalid = This cancel link is not valid any more.
refusal-link-invalid = This link is not valid any more.
refusal-grant-invalid = This enrolment grant is not valid.
refusal-not-found = No such request.
refusal-account-unavailable = The account is disabled or does not exist.
refusal-locked = Too many wrong attempts: the request is locked.
refusal-rate-limited = Too many attempts; try again later.
refusal-no-verified-email = The account has no verified email address.
refusal-final = The request is already { $state }.
refusal-factors-complete = The factors have already been verified.
refusal-approvals-incomplete = { $have } of { $need } approvals given.
refusal-out-of-band-check-missing = The out-of-band identity check has not been recorded.
refusal-approval-not-required = This request needs no approval.
refusal-not-yet-approvable = The request cannot be approved before its factors are verified.
refusal-approvals-complete = The request has every approval it needs.
refusal-approver-is-requester = The requester cannot approve or decide their own request.
refusal-approver-is-subject = Nobody can approve or decide a request for their own account.
refusal-approver-lacks-role = The approver does not hold the role this request needs.
refusal-approval-not-fresh = The approver's passkey verification is not recent enough.
refusal-approval-bound-elsewhere = The approval was signed for another request.
refusal-already-approved = This approver has already approved this request.
refusal-out-of-band-not-used = This request takes no out-of-band check.
refusal-out-of-band-already-recorded = An out-of-band check is already recorded.
refusal-evidence-missing = The out-of-band check needs a description of the evidence.
refusal-policy-cannot-be-met = The policy needs { $required } approvers but only { $available } could approve.
refusal-wrong-factor = The factor was not accepted ({ $attempts_left } attempts left).
refusal-passkey-not-accepted = This passkey does not count for this request.
refusal-invalid-action = The requested change is not possible for this account.
refusal-policy-not-valid = The policy is not valid.
refusal-policy-unchanged = The policy is already in force.
refusal-unknown-policy-change = The engine does not know how to apply this kind of policy change.
refusal-stale-policy-change = The policy changed since this request was made; ask for the change again.
