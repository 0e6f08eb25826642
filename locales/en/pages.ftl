## Sign-in, enrolment, step-up, consent and the other pages on the way to an application.

home-intro = This is the identity provider at <code>{ $issuer }</code>. Applications send you here to sign in.
home-sign-in = Sign in

signin-title = Sign in
signin-heading = Sign in
signin-continue-to = to continue to <strong>{ $app }</strong>
signin-intro = Use the passkey on this device, on your phone, or on a security key.
signin-button = Sign in with a passkey
signin-lost-passkey = Lost your passkey?
signin-no-account = No account yet?
signin-create-account = Create one with a passkey.

signed-in-title = You are signed in
signed-in-heading = You are signed in
signed-in-as = You are signed in as <strong>{ $username }</strong>.
signed-in-continue-to = Continue to <strong id="requesting-app">{ $app }</strong> as this account, or sign in as someone else.
signed-in-switch = Sign in as someone else

enrol-bootstrap-heading = Set up the first administrator
enrol-bootstrap-intro = This link works once. The account you create here administers this instance; its passkey is the only way in.
enrol-invite-heading = Create your account
enrol-invite-intro = You were invited as { $email }. Choose a username and create a passkey on this device.
enrol-signup-heading = Create an account
enrol-signup-intro = Choose a username and create a passkey on this device. There is no password.
enrol-signup-intro-app = Choose a username and create a passkey on this device to continue to { $app }. There is no password.

onboarding-title = Your account is ready
onboarding-heading = Your passkey is set up
onboarding-save-codes = Save your recovery codes
onboarding-codes-intro = These codes let you recover your account if you lose every passkey. Each works once. <strong>They are shown only now</strong>: print them or keep them in a password manager.
onboarding-codes-shown = Your recovery codes were shown once already. You can make new ones on your <a href="/account">account page</a>.
onboarding-backup-heading = Add a backup passkey
onboarding-backup-intro = A second passkey on another device (a phone, another computer, a security key) keeps you in if this device is lost.
onboarding-backup-button = Add a passkey on another device

passkey-here-title = Use a passkey on this device
passkey-here-heading = Sign in faster on this device
passkey-here-intro = You signed in with a passkey from another device. Create a passkey here and next time it is one tap.
passkey-here-button = Create a passkey on this device
passkey-here-not-now = Not now

stepup-title = Confirm it is you
stepup-heading = Confirm it is you
stepup-app-asks = <strong>{ $app }</strong> asks for a fresh confirmation with one of your passkeys before it continues.
stepup-change-needs = This change needs a fresh confirmation with one of your passkeys.
stepup-button = Confirm with a passkey

passkey-required-heading = { $app } needs another passkey
passkey-required-other-qualifies = <strong>{ $app }</strong> accepts only passkeys that meet its policy <strong>{ $policy }</strong>. The passkey you signed in with does not; one of your other passkeys does.
passkey-required-none-qualifies = <strong>{ $app }</strong> accepts only passkeys that meet its policy <strong>{ $policy }</strong>, and none of your passkeys does.
passkey-required-use-one = Use a passkey that qualifies
passkey-required-add-one = To use { $app }, add such a passkey (for example a security key from the approved list) on your account page, then come back.
passkey-required-go-account = Go to your account

consent-heading = Allow { $app }?
consent-intro = <strong>{ $app }</strong> asks to sign you in as <strong>{ $username }</strong> and to see:
consent-allow = Allow
consent-deny = Deny
consent-withdraw = You can withdraw this on your account page at any time.

signed-out-title = Sign out
signed-out-confirm = Sign out of { $instance }?
signed-out-heading = You are signed out
signed-out-again = Sign in again

codes-title = New recovery codes
codes-heading = Your new recovery codes
codes-intro = Your old codes no longer work. Each of these works once. <strong>They are shown only now.</strong>

# What an application shows about itself on the sign-in, consent and step-up pages.
app-logo-alt = The logo of { $app }
app-home = { $app }’s website
app-policy = Privacy policy
app-terms = Terms of service
violation-found-unproven = The authenticator's model is not proven by a verified attestation.
violation-found-synced = The passkey can be synced to other devices (backup eligible).
violation-found-synced-unattestable = The passkey can be synced to other devices, so its authenticator cannot be attested.
violation-found-attestation-unverified = The authenticator's attestation does not verify against the FIDO metadata of an allowed model.
violation-found-no-trusted-models = No allowed authenticator model with attestation roots is in the imported FIDO metadata.
violation-found-model-not-listed = The authenticator model { $aaguid } is not on the list.
violation-found-no-model = The authenticator names no model.
violation-found-certified = The model is FIDO certified { $level }.
violation-found-not-certified = The metadata reports no FIDO certification for the model.
violation-found-compromised = The FIDO metadata reports the model as compromised ({ $reports }).
violation-found-no-registered-passkey = This sign-in did not use a registered passkey.
violation-found-step-up-not-registered = This session's step-up did not use a registered passkey.
violation-found-possible-clone = The passkey may have been copied.
violation-required-attested = Use a security key or device-bound authenticator whose attestation verifies against the imported FIDO metadata.
violation-required-device-bound = Use a device-bound passkey, such as a hardware security key, that never leaves the authenticator.
violation-required-device-bound-in-metadata = Use a device-bound passkey, such as a hardware security key, whose model is in the imported FIDO metadata.
violation-required-allowed-model-attested = Use a security key or device-bound authenticator of an allowed model, with attestation enabled.
violation-required-metadata-import = An administrator must import the FIDO metadata blob (latchkey metadata import) before such passkeys can be registered.
violation-required-allowed-model = Use an attested authenticator of an allowed model: { $models }.
violation-required-certified = Use an attested authenticator certified FIDO { $level } or higher.
violation-required-uncompromised = Use an authenticator of a model without compromise reports.
violation-required-compliant-sign-in = Sign in with a passkey that meets the application's policy.
violation-required-another-passkey = Sign in with another passkey.
violation-required-own-passkey = Confirm with one of your passkeys.
