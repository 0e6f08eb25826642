## The admin console: accounts, applications, keys, settings, branding,
## dashboard and audit log.


## Shared words

admin-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
admin-disabled = disabled
admin-groups = Groups
admin-none = none
admin-never = never
admin-tier-standard = standard
admin-tier-elevated = elevated
admin-tier-critical = critical
admin-role-admin = admin
admin-role-approver = approver
admin-save = Save
admin-col-username = Username
admin-col-email = E-mail
admin-col-roles = Roles
admin-col-model = Model
admin-col-attestation = Attestation
admin-col-added = Added
admin-col-last-used = Last used
admin-col-device = Device
admin-col-address = Address
admin-col-signed-in = Signed in
admin-col-last-active = Last active
admin-col-application = Application
admin-col-scopes = Scopes
admin-col-allowed = Allowed
admin-col-made = Made
admin-col-actor = Actor
admin-col-subject = Subject
admin-col-detail = Detail

## Refusals

admin-refusal-accounts = Accounts are for administrators.
admin-refusal-applications = Applications are for administrators.
admin-refusal-keys = Signing keys are for administrators.
admin-refusal-settings = Settings are for administrators.
admin-refusal-branding = Branding is for administrators.
admin-refusal-dashboard = The dashboard is for administrators.
admin-refusal-audit = The audit log is for administrators.
admin-refusal-search-too-long = Search for at most 100 characters of a name or an address.
admin-refusal-choose-group-list = Choose a group from the list.
admin-refusal-invitation-days = An invitation is valid for 1, 3 or 7 days.
admin-refusal-choose-tier = Choose the standard, elevated or critical tier.
admin-refusal-choose-groups = Choose groups from the list.
admin-refusal-choose-role = Choose the admin or the approver role.
admin-refusal-group-change = Add to or remove from a group.
admin-refusal-choose-group = Choose a group.
admin-refusal-no-such-group = There is no such group.
admin-refusal-overlap = The old secret may keep working for 0, 1 hour, 24 hours or 7 days.
admin-refusal-self-signup = Self sign-up is either open or closed.
admin-refusal-refresh-lifetime = A refresh token lives between 1 and 2160 hours (90 days).

## Accounts

admin-users-title = Accounts
admin-users-search-label = Name or e-mail address
admin-users-group = Group
admin-users-any-group = Any group
admin-users-search = Search
admin-users-none = No accounts yet: invite people with <code>latchkey user invite</code>.
admin-users-no-match = No account matches.
admin-users-more = More accounts
admin-invite-summary = Invite someone
admin-invite-email = E-mail address
admin-invite-valid-for = Valid for
admin-invite-administrator = Administrator (only while the instance has fewer than three)
admin-invite-create = Create the invitation link
admin-invited-title = Invitation
admin-invited-heading = Invitation for { $email }
admin-invited-administrator = An <strong>administrator</strong> account.
admin-invited-tier = The account starts under the <strong id="invited-tier">{ $tier }</strong> tier.
admin-invited-link = The link works once, until { $expires }. Latchkey does not send it: give it to { $email } yourself, over a channel you trust. It is shown only now.
admin-invited-back = Back to accounts

## One account

admin-back-accounts = ← Accounts
admin-user-see-request = See the request
admin-user-read-only = Passkeys, recovery codes, the address and roles change only through the account's owner or a guarded request with its delays and approvals; the console cannot add or reset a credential.
admin-user-roles-tier = Roles and tier
admin-user-roles-tier-intro = A role or a new tier is a guarded change: it opens a request that takes effect after the delay and the approvals of other people that { $username }'s tier asks for. { $username } is told, with a link to cancel.
admin-user-grant-admin = Grant admin
admin-user-grant-approver = Grant approver
admin-user-change-tier = Change tier
admin-user-no-group = { $username } is in no group.
admin-user-group-remove = Remove
admin-user-add-to = Add to
admin-user-group-add = Add
admin-user-groups-note = Adding takes effect at once. Leaving a group that carries an attestation policy would relax what applies to { $username }: detach the policy first.
admin-user-enable-note = Enabling { $username } again is a guarded change: it takes effect once other people have approved it.
admin-user-enable = Ask to enable { $username }
admin-user-disable-note = Disabling takes effect at once: every session of { $username } ends, and the applications' refresh and access tokens for the account stop working. Enabling it again is a guarded change that other administrators approve.
admin-user-disable = Disable { $username }
admin-user-passkeys = Passkeys
admin-user-passkeys-none = No active passkey: the owner can get back in only through account recovery.
admin-user-clone-suspected = Possibly cloned: refused until the flag is cleared
admin-user-sessions = Sessions
admin-user-sessions-none = Not signed in anywhere.
admin-user-end-session = End session
admin-user-consents = Applications allowed
admin-user-consents-none = No consent given: only applications that need none (first party) are used.
admin-user-requests = Recovery and guarded changes
admin-user-requests-none = No request has been made for this account.
admin-user-events = Latest audit events
admin-user-events-none = No audit event names this account.
admin-user-all-events = Every event about { $username }
admin-fact-display-name = Display name
admin-fact-email = E-mail
admin-fact-tier = Tier
admin-fact-roles = Roles
admin-fact-created = Created
admin-fact-live-sessions = Live sessions
admin-fact-disabled = Disabled
admin-user-email-verified = { $email } (verified)
admin-user-email-not-verified = { $email } (not verified)
admin-user-tier-pinned = { $tier } (set by an administrator)
admin-user-unknown-model = Unknown model
admin-user-attestation-verified = verified
admin-user-attestation-verified-format = verified ({ $format })
admin-flash-user-disabled = The account is disabled: its sessions, refresh tokens and access tokens have ended.
admin-flash-group-added = Added to the group.
admin-flash-group-removed = Removed from the group.
admin-flash-session-ended = The session ended, with the refresh and access tokens applications held through it.
admin-flash-requested = The request is open: it takes effect once its delay has passed and other people have approved it.

## Audit event kinds, as the audit page names them

admin-event-instance-initialised = Instance set up
admin-event-instance-master-key-created = Master key created
admin-event-signing-key-created = Signing key created
admin-event-signing-key-activated = Signing key activated
admin-event-signing-key-retired = Signing key retired
admin-event-admin-bootstrap-issued = First administrator link issued
admin-event-admin-bootstrapped = First administrator set up
admin-event-user-created = Account created
admin-event-user-disabled = Account disabled
admin-event-user-enabled = Account enabled
admin-event-user-role-granted = Role granted
admin-event-user-tier-changed = Tier changed
admin-event-invitation-created = Invitation created
admin-event-invitation-accepted = Invitation accepted
admin-event-passkey-registered = Passkey added
admin-event-passkey-renamed = Passkey renamed
admin-event-passkey-revoked = Passkey revoked
admin-event-passkey-clone-suspected = Passkey possibly cloned
admin-event-passkey-clone-flag-cleared = Clone flag cleared
admin-event-sign-in-succeeded = Signed in
admin-event-sign-in-failed = Sign-in refused
admin-event-sessions-revoked = Sessions ended
admin-event-session-ended = Session ended
admin-event-recovery-codes-generated = New recovery codes
admin-event-recovery-codes-used = Recovery code used
admin-event-client-created = Application registered
admin-event-client-updated = Application changed
admin-event-client-secret-rotated = Application secret rotated
admin-event-audit-exported = Audit log exported
admin-event-console-refused = Console refused
admin-event-guarded-action-requested = Request made
admin-event-guarded-action-transitioned = Request state changed
admin-event-guarded-action-approval-recorded = Approval recorded
admin-event-guarded-action-oob-recorded = Out-of-band check recorded
admin-event-guarded-action-factor-verified = Factor verified
admin-event-guarded-action-factor-failed = Wrong factor
admin-event-guarded-action-cancelled = Request cancelled
admin-event-guarded-action-denied = Request denied
admin-event-guarded-action-expired = Request expired
admin-event-guarded-action-locked = Request locked
admin-event-guarded-action-completed = Request completed
admin-event-guarded-action-notified = Notice sent
admin-event-enrolment-grant-issued = Enrolment grant issued
admin-event-enrolment-grant-redeemed = Enrolment grant used
admin-event-policy-changed = Guarded-change policy changed
admin-event-recovery-policy-initialised = Recovery policy set up
admin-event-recovery-policy-changed = Recovery policy changed
admin-event-setting-changed = Setting changed
admin-event-refresh-family-revoked = Application sessions ended
admin-event-consent-granted = Consent given
admin-event-consent-revoked = Consent withdrawn
admin-event-metadata-imported = Authenticator metadata imported
admin-event-attestation-policy-saved = Attestation policy saved
admin-event-attestation-policy-assigned = Attestation policy assigned
admin-event-attestation-policy-unassigned = Attestation policy removed
admin-event-group-created = Group created
admin-event-group-member-added = Added to a group
admin-event-group-member-removed = Removed from a group
admin-event-email-verification-sent = Verification e-mail sent
admin-event-email-verified = E-mail address verified
admin-event-other = Other event

## Applications

admin-enabled = enabled
admin-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
admin-refusal-unknown-policy = Attestation policy: there is no policy of that name.
admin-refusal-min-level = Minimum level: choose none, phr or phrh.
admin-clients-title = Applications
admin-clients-nothing-registered = Nothing was registered.
admin-clients-register-summary = Register an application
admin-clients-public = Public client (a native or browser app without a secret; PKCE)
admin-clients-alg = ID token signing algorithm
admin-clients-register = Register
admin-clients-none = No applications yet. Register one here or with <code>latchkey client create</code>.
admin-col-type = Type
admin-col-min-level = Minimum level
admin-col-consent = Consent
admin-client-kind-public = public
admin-client-kind-confidential = confidential
admin-client-type-public = public (no secret; PKCE)
admin-client-consent-asked = asked
admin-client-consent-not-asked = not asked (first party)
admin-field-name = Name
admin-field-redirect-uris = Redirect URIs
admin-field-logout-uris = Post-logout redirect URIs
admin-field-alg = ID token algorithm
admin-field-scopes = Scopes
admin-field-resources = Resources
admin-field-application = Application
admin-back-clients = ← Applications
admin-client-nothing-changed = Nothing was changed.
admin-client-settings = Settings
admin-client-fixed = Public or confidential and the ID token algorithm are fixed: register a new application to change them.
admin-client-presentation = How people see it
admin-client-presentation-intro = Shown on the sign-in, consent and confirmation pages. Links must be https. The logo (PNG or SVG, at most 100 KiB) is fetched once, when its address is saved, and served from here: people's browsers never contact the application's site for it.
admin-client-logo-alt = The logo of { $name }
admin-client-logo-uri = Logo address
admin-client-home-page = Home page
admin-client-privacy-policy = Privacy policy
admin-client-terms = Terms of service
admin-client-secret = Secret
admin-client-rotate-intro = A new secret is shown once. Until the application is reconfigured, the current secret can keep working for a while; after a leak, choose “stop now”.
admin-client-overlap = The current secret keeps working for
admin-client-overlap-stop = stop now
admin-client-rotate = Rotate the secret
admin-client-access = Access
admin-client-enable-note = Enabling lets the application sign people in again; the grants that ended stay ended.
admin-client-enable = Enable { $name }
admin-client-disable-note = Disabling takes effect at once: nobody can sign in to { $name }, and every refresh and access token it holds stops working.
admin-client-disable = Disable { $name }
admin-fact-client-id = Client id
admin-fact-type = Type
admin-fact-authentication = Authentication
admin-fact-alg = ID token algorithm
admin-fact-status = Status
admin-fact-previous-secret = Previous secret accepted until
admin-flash-client-updated = The application's settings are saved.
admin-flash-client-presented = Saved: the sign-in and consent pages show it from now on.
admin-flash-client-disabled = The application is disabled: it can no longer sign anyone in, and every token it held has ended.
admin-flash-client-enabled = The application is enabled again. Its earlier grants stay ended: its users sign in anew.
admin-form-name = Name (shown to people on the consent page)
admin-form-redirect-uris = Redirect URIs, one per line (matched exactly; https, or http on localhost)
admin-form-logout-uris = Post-logout redirect URIs, one per line (optional)
admin-form-min-acr = Minimum sign-in level
admin-form-acr-any = Any passkey
admin-form-acr-phr = phr — a user-verified passkey
admin-form-acr-phrh = phrh — a device-bound, attested passkey
admin-form-scopes = Scopes it may be granted, separated by spaces
admin-form-resources = Resources (RFC 8707) it may ask tokens for, one per line (optional)
admin-form-first-party = First party: people are not asked for consent
admin-form-policy = Attestation policy (the passkey used to sign in must meet it)
admin-form-policy-none = None
admin-form-policy-note = Removing the policy or choosing a laxer one needs approval: saving opens a request.
admin-secret-registered = { $name } is registered
admin-secret-new = New secret for { $name }
admin-secret-shown-once = The client secret is shown only now; Latchkey keeps only its hash. Put it in the application's configuration.
admin-secret-previous-until = The previous secret keeps working until { $until }.
admin-secret-previous-ended = The previous secret no longer works.
admin-secret-public = A public client has no secret: it signs people in with PKCE.
admin-secret-back = Back to { $name }

## Signing keys

admin-keys-title = Signing keys
admin-keys-intro = The active key of each algorithm signs new tokens; the next key is published already, so applications know it before it signs; a retired key stays published until the tokens it signed have expired.
admin-keys-none = No signing key yet: the first is created when the server starts.
admin-col-key-id = Key id
admin-col-algorithm = Algorithm
admin-col-created = Created
admin-col-signing-since = Signing since
admin-col-published-until = Published until
admin-key-active = active
admin-key-next = next
admin-key-retired = retired
admin-key-not-yet = not yet
admin-key-while-in-use = while in use
admin-keys-rotate-intro = Rotating promotes each algorithm's next key, retires the active one and publishes a new next key — the same as <code>latchkey keys rotate</code>.
admin-keys-rotate = Rotate now
admin-flash-keys-rotated = Rotated: the next key signs new tokens now; the former active key stays published until the tokens it signed have expired. Other servers pick the change up within a minute.

## Settings

admin-settings-title = Settings
admin-settings-intro = These apply at once, on every server, without a restart. The configuration file gives a setting's value until it is first changed here; from then on the value set here applies.
admin-settings-self-signup = Self sign-up
admin-settings-self-signup-intro = Anyone who opens the sign-up page can create an account, without an invitation.
admin-settings-open = Open
admin-settings-closed = Closed: accounts only by invitation
admin-settings-refresh = Refresh tokens
admin-settings-refresh-hours = How long an application's refresh token lasts after sign-in, in hours (1 to 2160, that is 90 days)
admin-settings-refresh-note = Applies to sign-ins from now on; refresh tokens issued before keep their lifetime. Access and ID tokens always last 10 minutes.
admin-flash-settings-saved = Saved: it applies to the next request.

## Branding

admin-branding-title = Branding
admin-branding-intro = The name, colour, logo and support link on every page, for every application that signs people in here. They apply at once on every server. The configuration file's <code>[branding]</code> gives them until they are first changed here.
admin-branding-colour = Primary colour <span class="muted">(#rrggbb; empty for the built-in one)</span>
admin-branding-colour-help = Buttons carry white text on this colour, so it must give a contrast ratio of at least 4.5:1 (WCAG AA); a lighter colour is refused.
admin-branding-support = Support link <span class="muted">(optional)</span>
admin-branding-logo = Logo <span class="muted">(PNG or SVG, at most 100 KiB)</span>
admin-branding-logo-alt = The current logo
admin-branding-no-logo = No logo yet: pages show the name alone.
admin-branding-remove-logo = Remove the logo
admin-flash-branding-saved = Saved: every page shows it from now on.

## Dashboard

admin-decimal-separator = .
admin-dashboard-title = Dashboard
admin-dashboard-catching-up = Sign-ins recorded in the last moments are still being counted; reload in a minute for complete numbers.
admin-dashboard-nothing = Nothing recorded yet.
admin-dashboard-as-table = The numbers as a table
admin-dashboard-sign-ins = Sign-ins, last 30 days
admin-dashboard-refused = Refused sign-ins, last 30 days
admin-dashboard-awaiting = Requests awaiting approval
admin-dashboard-median = Median time to complete a request
admin-dashboard-none-completed = none completed yet
admin-dashboard-minutes = { $n } min
admin-dashboard-hours = { $n } h
admin-dashboard-days = { $n } days
admin-dashboard-device-bound-attested = device-bound, attested
admin-dashboard-flow-autofill = autofill
admin-dashboard-flow-modal = modal
admin-dashboard-flow-cross-device = cross-device
admin-dashboard-flow-other = other
admin-dashboard-flow-refused = refused
admin-chart-adoption = Adoption
admin-chart-invited = Invited
admin-chart-enrolled = Enrolled
admin-chart-two-or-more = Two or more passkeys
admin-chart-recovery-codes = Recovery codes saved
admin-chart-sign-ins = Sign-ins per day by flow, and refused
admin-chart-day = Day
admin-chart-failures = Top reasons for refused sign-ins (30 days)
admin-chart-passkey-kinds = Passkeys by kind
admin-chart-passkey-models = Passkeys by model
admin-chart-requests = Recovery and guarded-change requests by state
admin-unit-accounts = accounts
admin-unit-sign-ins = sign-ins
admin-unit-passkeys = passkeys
admin-unit-requests = requests

## Audit log

admin-audit-title = Audit log
admin-audit-intro = Every security event, newest first. Each row is chained to the one before it by a keyed hash, so a changed, inserted or removed row shows when the chain is verified.
admin-audit-verdict-intact = { $summary }
admin-audit-verdict-broken = { $summary }
admin-audit-any = Any
admin-audit-actor-placeholder = account id, cli, system
admin-audit-subject-placeholder = account or client id
admin-audit-from = From (UTC)
admin-audit-until = Until (UTC)
admin-audit-request-placeholder = guarded-action request id
admin-audit-filter = Filter
admin-audit-export-jsonl = Export JSON Lines
admin-audit-export-csv = Export CSV
admin-audit-verify = Verify the chain
admin-audit-none = No audit events match.
admin-audit-older = Older events
admin-refusal-bad-actor = That is not a valid actor.
admin-refusal-bad-subject = That is not a valid subject.
admin-refusal-bad-request-id = That is not a valid request id.
admin-refusal-bad-from = The from time is not a date (2026-12-01) or a date and time (2026-12-01T14:30).
admin-refusal-bad-until = The until time is not a date (2026-12-01) or a date and time (2026-12-01T14:30).
admin-refusal-bad-kind = That is not a kind of audit event.
admin-refusal-from-after-until = The from time must be before the until time.
admin-refusal-bad-position = That is not a position in the audit log.

## An application's registration refused (after the field's name)

admin-reg-invalid-name = the client name must be 1 to { $max } characters without control characters
admin-reg-no-redirect-uri = at least one redirect URI is required
admin-reg-too-many-redirect-uris = at most { $max } redirect URIs may be registered
admin-reg-redirect-uri-refused = redirect URI { $uri } is refused: { $reason }
admin-reg-logout-uri-refused = post-logout redirect URI { $uri } is refused: { $reason }
admin-reg-redirect-uri-twice = redirect URI { $uri } is listed twice
admin-reg-unsupported-alg = the ID token algorithm { $alg } is not supported; use ES256, RS256 or EdDSA
admin-reg-invalid-scope = { $scope } is not a scope value: use 1 to { $max } printable ASCII characters without spaces, quotes or backslashes (RFC 6749 §3.3)
admin-reg-too-many-scopes = at most { $max } scopes may be registered
admin-reg-scope-twice = scope { $scope } is listed twice
admin-reg-resource-refused = resource { $uri } is refused: { $reason }
admin-reg-too-many-resources = at most { $max } resources may be registered
admin-reg-resource-twice = resource { $uri } is listed twice
admin-redirect-empty = the redirect URI is empty
admin-redirect-too-long = the redirect URI is longer than { $max } characters
admin-redirect-forbidden-character = the redirect URI contains whitespace, a control character or a backslash
admin-redirect-not-absolute = the redirect URI is not an absolute URI
admin-redirect-fragment = the redirect URI has a fragment (#…), which RFC 6749 §3.1.2 forbids
admin-redirect-userinfo = the redirect URI carries a user name or password
admin-redirect-insecure-http = plain http is allowed only for loopback hosts (localhost, 127.0.0.1, [::1]); use https
admin-redirect-missing-host = the redirect URI has no host
admin-redirect-unsupported-scheme = the scheme { $scheme } is not allowed: use https, http on a loopback host, or a private-use scheme in reverse-domain form (com.example.app:/callback)
admin-resource-empty = the resource URI is empty
admin-resource-too-long = the resource URI is longer than { $max } characters
admin-resource-forbidden-character = the resource URI contains whitespace, a control character, a quote, angle brackets or a backslash
admin-resource-not-absolute = the resource URI is not an absolute URI
admin-resource-fragment = the resource URI has a fragment (#…), which RFC 8707 §2 forbids
admin-resource-userinfo = the resource URI carries a user name or password
admin-resource-missing-host = the resource URI has no host
admin-resource-insecure-http = plain http is allowed only for localhost (localhost, 127.0.0.1, [::1]); use https
admin-resource-unsupported-scheme = the scheme { $scheme } is not allowed for a resource: use https (or http on localhost)

## A branding value refused

admin-branding-refused-name = The name must be 1 to { $max } characters, without control characters.
admin-branding-refused-colour = { $colour } is not a colour: write it as #rrggbb, for example #1f4fd1.
admin-branding-refused-contrast = { $colour } gives white button text a contrast ratio of { $ratio }:1; WCAG AA needs at least 4.5:1. Choose a darker colour.
admin-branding-refused-support-url = { $url } is not a support link: give an https address (http only to this machine), without a user name or password, of at most 512 characters.
admin-branding-refused-logo-size = The logo is { $bytes } bytes; at most 102400 bytes (100 KiB) are accepted.
admin-branding-refused-logo-type = The logo must be a PNG or an SVG image.
admin-branding-refused-logo-pixels = The PNG logo is { $width }×{ $height } pixels; at most 1024×1024 are accepted.
admin-branding-refused-svg = The SVG logo contains { $what }, which is not accepted: scripts, event handlers, embedded documents and links to other sites are refused.
admin-svg-script = a script
admin-svg-javascript = a javascript: link
admin-svg-foreign-object = embedded HTML (foreignObject)
admin-svg-embedded-document = an embedded document
admin-svg-entity = an entity declaration
admin-svg-doctype = a document type declaration
admin-svg-import = a style sheet import
admin-svg-link = a link to another site
admin-svg-data-url = an embedded data: URL
admin-svg-event-handler = an event handler (on… attribute)
admin-invite-refused-email = That is not an e-mail address.
admin-invite-refused-account-exists = An account with this address exists. Invitations create new accounts; a lost passkey is recovered through account recovery.
admin-invite-refused-founding-admins = This instance has its founding administrators. Further administrators are granted the role through a guarded request that other administrators approve.
