## The notices sent by mail, in the account's language. Paragraphs are
## separate messages; links and the footer are added by the code.

notice-passkey-added-subject = A passkey was added to your account
notice-passkey-added = A new passkey "{ $label }" was added to your account { $username } at { $when }.
notice-passkey-added-advice = If this was not you, sign in with another passkey and revoke it, then contact your administrator.
notice-passkey-revoked-subject = A passkey was removed from your account
notice-passkey-revoked = The passkey "{ $label }" was removed from your account { $username } at { $when }.
notice-codes-replaced-subject = New recovery codes were made for your account
notice-codes-replaced = New recovery codes were made for your account { $username } at { $when }; the old ones no longer work.
notice-contact-admin = If this was not you, contact your administrator at once.

notice-verify-subject = Confirm your email address
notice-verify = To confirm that { $address } is the email address of your account { $username }, open this link and press the button on the page. It works once, within 24 hours:
notice-verify-why = A verified address can be used to recover your account if you lose your passkeys. If you did not ask for this, ignore this message: nothing changes until the button is pressed.

notice-what-recover-account = recover the account and register a new passkey (every existing passkey stops working)
notice-what-add-passkey = add a passkey
notice-what-remove-passkey = remove a passkey
notice-what-regenerate-codes = make new recovery codes
notice-what-change-email = change the e-mail address to { $email }
notice-what-grant-role = grant the { $role } role
notice-what-change-tier = change the account tier to { $tier }
notice-what-weaken-policy = relax a security policy
notice-what-enable-account = enable the account again

notice-footer = Request { $request } — { $instance }. This message was sent because of a change to your account; { $instance } never asks for a recovery code by e-mail or phone.
notice-requested-subject = A request to { $what } on your account
notice-requested = Someone asked to { $what } on your account { $username } at { $made }.
notice-requested-limits = It cannot complete before its waiting period has passed after identity checks, and it expires at { $until }. You can also cancel it after signing in with one of your passkeys.
notice-requested-cancel = If this was not you, cancel it now with this link (it works once):
notice-ready-subject = The request to { $what } can now be completed
notice-ready = The request to { $what } on your account { $username } passed its checks and waiting period. It can be completed from the browser that made it until { $until }. If this was not you, sign in with a passkey and cancel it.
notice-completed-subject = Completed: { $what }
notice-completed = The request to { $what } on your account { $username } was completed at { $at }. If this was not you, contact your administrator at once.
notice-cancelled-subject = Cancelled: the request to { $what }
notice-cancelled = The request to { $what } on your account { $username } was cancelled at { $at }. Nothing was changed.
notice-denied-subject = Denied: the request to { $what }
notice-denied = An approver denied the request to { $what } on your account { $username } at { $at }. Nothing was changed.
notice-expired-subject = Expired: the request to { $what }
notice-expired = The request to { $what } on your account { $username } expired at { $at } without completing. Nothing was changed.
notice-locked-subject = Locked: the request to { $what }
notice-locked = The request to { $what } on your account { $username } was locked at { $at } after too many wrong answers. Nothing was changed. If this was not you, someone may be trying to take over your account: tell your administrator.

notice-live-ready-subject = The waiting period to { $what } has ended
notice-live-ready-codes = The request to { $what } on your account { $username } passed its waiting period. Sign in and open your account page to see the new codes, once, before { $until }. If this was not you, sign in with a passkey and cancel it.
notice-live-ready = The request to { $what } on your account { $username } passed its waiting period and takes effect now.
notice-live-cancel = If this was not you, someone has a session on your account: cancel the change now with this link (it works once), then sign in and sign out your other sessions:
notice-live-added-subject = A new passkey was added to your account
notice-live-added = A new passkey was registered on your account { $username } at { $made }, from a session signed in with one of your passkeys. It stays inactive until { $effective }, and then works for signing in. Cancelling deletes it.
notice-live-added-approvals = A new passkey was registered on your account { $username } at { $made }, from a session signed in with one of your passkeys. It stays inactive until { $effective } and once { $n ->
    [one] an approver of your organisation has
   *[other] { $n } approvers of your organisation have
} approved it, and then works for signing in. Cancelling deletes it.
notice-live-requested-subject = Your account: a request to { $what }
notice-live-requested = A session signed in to your account { $username } asked at { $made } to { $what }. It takes effect at { $effective }, unless you cancel it before then.
notice-live-requested-approvals = A session signed in to your account { $username } asked at { $made } to { $what }. It takes effect at { $effective } and once { $n ->
    [one] an approver of your organisation has
   *[other] { $n } approvers of your organisation have
} approved it, unless you cancel it before then.

notice-link-subject = Confirm the request on your account { $username }
notice-link = To confirm a request ({ $action }) on your account { $username }, open this link in the browser that made the request (it works once, for 30 minutes):
notice-link-ignore = If you did not ask for this, ignore this message and sign in to cancel the request.
