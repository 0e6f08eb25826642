## Shared words, errors, durations and the pages' script.

button-continue = Continue
button-cancel = Cancel
button-done = Done
button-sign-out = Sign out
button-create-passkey = Create a passkey
label-username = Username
label-your-name = Your name

error-heading = We could not do that
error-heading-ours = Something went wrong
error-back = Back to the start
error-not-found = This page does not exist.
error-sign-in-required = Sign in to continue.
error-step-up-required = Confirm with your passkey to continue.
error-too-many = Too many attempts. Try again in { $seconds } seconds.
error-payload-too-large = The request body is too large.
error-headers-too-large = The request headers are too large.
error-internal = Something went wrong on our side.
error-malformed-form = The form could not be read. Reload the page and try again.
error-malformed-address = This address is not valid.
error-form-expired = The form has expired; reload the page and try again.
error-foreign-origin = The request did not come from this site.
error-account-disabled = This account is disabled.
error-admin-required = Only an administrator can do this.
error-approver-required = Only approvers and administrators can use the admin console.
error-signup-disabled = Self-service sign-up is not enabled on this instance.
error-request-gone = This sign-in request has expired. Go back to the application and start again.
error-client-gone = The application is no longer registered.
error-registration-failed = The passkey could not be registered. Try again, or use another passkey.
error-language-unknown = Choose a language from the list.

error-recovery-grant-invalid = This recovery cannot set up a passkey here: it was used already, has expired, or belongs to another browser.
error-recovery-other-browser = Finish the recovery in the browser where it was started.
## Errors of the pages' script by their code (the English is the error's own sentence).
api-username-taken = This username is taken; choose another.
api-invalid-username = A username has 3 to 64 characters: letters, digits, '.', '-', '_' or '@'.
api-invalid-display-name = A name has 1 to 100 characters and no control characters.
api-challenge-expired = This sign-in request has expired or was already used. Try again.
api-wrong-account = That passkey belongs to another account.
api-clone-suspected = This passkey may have been copied, so it cannot be used to sign in. Use another passkey, or ask an administrator.
api-last-passkey = That is your only passkey and you have no recovery codes left: make new recovery codes or add another passkey first.
api-user-verification-missing = The authenticator did not verify the user with a PIN or biometric, which is required.
api-user-presence-missing = The authenticator did not confirm that a user was present.
api-unknown-credential = The passkey presented is not registered with this service.

duration-seconds = { $n ->
    [one] { $n } second
   *[other] { $n } seconds
}
duration-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
duration-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
duration-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
duration-joiner = {" "}

scope-openid = your account id
scope-profile = your name and username
scope-email = your email address
scope-offline-access = access while you are away (refresh tokens)
scope-other = the permission “{ $scope }”

js-request-failed = The request failed. Try again.
js-cancelled = The passkey request was cancelled or timed out.
js-signing-in = Signing in…
js-follow-prompt = Follow your browser’s prompt…
js-saving-passkey = Saving your passkey…
js-confirm-first = First confirm it is you with a passkey you already have…
js-now-create = Now create the new passkey…
js-link-incomplete = This link is incomplete. Open it exactly as it is in the message.
# The instance's support link in every page's header.
support-link = Help
