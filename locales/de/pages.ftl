## Anmeldung, Registrierung, Bestätigung, Einwilligung und die anderen Seiten auf dem Weg zu einer Anwendung.

home-intro = Dies ist der Identitätsanbieter unter <code>{ $issuer }</code>. Anwendungen schicken Sie zur Anmeldung hierher.
home-sign-in = Anmelden

signin-title = Anmelden
signin-heading = Anmelden
signin-continue-to = um mit <strong>{ $app }</strong> fortzufahren
signin-intro = Verwenden Sie den Passkey auf diesem Gerät, auf Ihrem Telefon oder auf einem Sicherheitsschlüssel.
signin-button = Mit einem Passkey anmelden
signin-lost-passkey = Passkey verloren?
signin-no-account = Noch kein Konto?
signin-create-account = Erstellen Sie eines mit einem Passkey.

signed-in-title = Sie sind angemeldet
signed-in-heading = Sie sind angemeldet
signed-in-as = Sie sind als <strong>{ $username }</strong> angemeldet.
signed-in-continue-to = Fahren Sie mit diesem Konto bei <strong id="requesting-app">{ $app }</strong> fort oder melden Sie sich als jemand anderes an.
signed-in-switch = Als jemand anderes anmelden

enrol-bootstrap-heading = Den ersten Administrator einrichten
enrol-bootstrap-intro = Dieser Link funktioniert einmal. Das Konto, das Sie hier erstellen, verwaltet diese Instanz; sein Passkey ist der einzige Zugang.
enrol-invite-heading = Ihr Konto erstellen
enrol-invite-intro = Sie wurden als { $email } eingeladen. Wählen Sie einen Benutzernamen und erstellen Sie einen Passkey auf diesem Gerät.
enrol-signup-heading = Ein Konto erstellen
enrol-signup-intro = Wählen Sie einen Benutzernamen und erstellen Sie einen Passkey auf diesem Gerät. Es gibt kein Passwort.
enrol-signup-intro-app = Wählen Sie einen Benutzernamen und erstellen Sie einen Passkey auf diesem Gerät, um mit { $app } fortzufahren. Es gibt kein Passwort.

onboarding-title = Ihr Konto ist bereit
onboarding-heading = Ihr Passkey ist eingerichtet
onboarding-save-codes = Speichern Sie Ihre Wiederherstellungscodes
onboarding-codes-intro = Mit diesen Codes stellen Sie Ihr Konto wieder her, wenn Sie alle Passkeys verlieren. Jeder funktioniert einmal. <strong>Sie werden nur jetzt angezeigt</strong>: Drucken Sie sie aus oder bewahren Sie sie in einem Passwortmanager auf.
onboarding-codes-shown = Ihre Wiederherstellungscodes wurden bereits einmal angezeigt. Neue können Sie auf Ihrer <a href="/account">Kontoseite</a> erstellen.
onboarding-backup-heading = Einen Ersatz-Passkey hinzufügen
onboarding-backup-intro = Ein zweiter Passkey auf einem anderen Gerät (einem Telefon, einem anderen Computer, einem Sicherheitsschlüssel) hält Sie im Konto, wenn dieses Gerät verloren geht.
onboarding-backup-button = Einen Passkey auf einem anderen Gerät hinzufügen

passkey-here-title = Einen Passkey auf diesem Gerät verwenden
passkey-here-heading = Schneller anmelden auf diesem Gerät
passkey-here-intro = Sie haben sich mit einem Passkey von einem anderen Gerät angemeldet. Erstellen Sie hier einen Passkey, dann genügt beim nächsten Mal ein Tippen.
passkey-here-button = Einen Passkey auf diesem Gerät erstellen
passkey-here-not-now = Nicht jetzt

stepup-title = Bestätigen Sie, dass Sie es sind
stepup-heading = Bestätigen Sie, dass Sie es sind
stepup-app-asks = <strong>{ $app }</strong> bittet um eine neue Bestätigung mit einem Ihrer Passkeys, bevor es weitergeht.
stepup-change-needs = Diese Änderung braucht eine neue Bestätigung mit einem Ihrer Passkeys.
stepup-button = Mit einem Passkey bestätigen

passkey-required-heading = { $app } braucht einen anderen Passkey
passkey-required-other-qualifies = <strong>{ $app }</strong> akzeptiert nur Passkeys, die seine Richtlinie <strong>{ $policy }</strong> erfüllen. Der Passkey, mit dem Sie sich angemeldet haben, erfüllt sie nicht; einer Ihrer anderen Passkeys schon.
passkey-required-none-qualifies = <strong>{ $app }</strong> akzeptiert nur Passkeys, die seine Richtlinie <strong>{ $policy }</strong> erfüllen, und keiner Ihrer Passkeys tut das.
passkey-required-use-one = Einen passenden Passkey verwenden
passkey-required-add-one = Um { $app } zu nutzen, fügen Sie auf Ihrer Kontoseite einen solchen Passkey hinzu (zum Beispiel einen Sicherheitsschlüssel aus der zugelassenen Liste) und kommen Sie dann zurück.
passkey-required-go-account = Zu Ihrem Konto

consent-heading = { $app } erlauben?
consent-intro = <strong>{ $app }</strong> möchte Sie als <strong>{ $username }</strong> anmelden und Folgendes sehen:
consent-allow = Erlauben
consent-deny = Ablehnen
consent-withdraw = Sie können dies jederzeit auf Ihrer Kontoseite widerrufen.

signed-out-title = Abmelden
signed-out-confirm = Von { $instance } abmelden?
signed-out-heading = Sie sind abgemeldet
signed-out-again = Erneut anmelden

codes-title = Neue Wiederherstellungscodes
codes-heading = Ihre neuen Wiederherstellungscodes
codes-intro = Ihre alten Codes funktionieren nicht mehr. Jeder dieser Codes funktioniert einmal. <strong>Sie werden nur jetzt angezeigt.</strong>

# What an application shows about itself on the sign-in, consent and step-up pages.
app-logo-alt = Das Logo von { $app }
app-home = Website von { $app }
app-policy = Datenschutzerklärung
app-terms = Nutzungsbedingungen
violation-found-unproven = Das Modell des Authentifikators ist nicht durch eine geprüfte Attestierung belegt.
violation-found-synced = Der Passkey kann mit anderen Geräten synchronisiert werden (sicherungsfähig).
violation-found-synced-unattestable = Der Passkey kann mit anderen Geräten synchronisiert werden, daher kann sein Authentifikator nicht attestiert werden.
violation-found-attestation-unverified = Die Attestierung des Authentifikators lässt sich nicht gegen die FIDO-Metadaten eines zugelassenen Modells prüfen.
violation-found-no-trusted-models = Kein zugelassenes Authentifikator-Modell mit Attestierungswurzeln ist in den importierten FIDO-Metadaten.
violation-found-model-not-listed = Das Authentifikator-Modell { $aaguid } steht nicht auf der Liste.
violation-found-no-model = Der Authentifikator nennt kein Modell.
violation-found-certified = Das Modell ist FIDO-zertifiziert mit { $level }.
violation-found-not-certified = Die Metadaten nennen keine FIDO-Zertifizierung für das Modell.
violation-found-compromised = Die FIDO-Metadaten melden das Modell als kompromittiert ({ $reports }).
violation-found-no-registered-passkey = Diese Anmeldung hat keinen registrierten Passkey verwendet.
violation-found-step-up-not-registered = Die Bestätigung in dieser Sitzung hat keinen registrierten Passkey verwendet.
violation-found-possible-clone = Der Passkey wurde möglicherweise kopiert.
violation-required-attested = Verwenden Sie einen Sicherheitsschlüssel oder gerätegebundenen Authentifikator, dessen Attestierung sich gegen die importierten FIDO-Metadaten prüfen lässt.
violation-required-device-bound = Verwenden Sie einen gerätegebundenen Passkey, etwa einen Hardware-Sicherheitsschlüssel, der den Authentifikator nie verlässt.
violation-required-device-bound-in-metadata = Verwenden Sie einen gerätegebundenen Passkey, etwa einen Hardware-Sicherheitsschlüssel, dessen Modell in den importierten FIDO-Metadaten steht.
violation-required-allowed-model-attested = Verwenden Sie einen Sicherheitsschlüssel oder gerätegebundenen Authentifikator eines zugelassenen Modells mit eingeschalteter Attestierung.
violation-required-metadata-import = Eine Administratorin oder ein Administrator muss den FIDO-Metadaten-Blob importieren (latchkey metadata import), bevor solche Passkeys registriert werden können.
violation-required-allowed-model = Verwenden Sie einen attestierten Authentifikator eines zugelassenen Modells: { $models }.
violation-required-certified = Verwenden Sie einen attestierten Authentifikator mit FIDO-Zertifizierung { $level } oder höher.
violation-required-uncompromised = Verwenden Sie einen Authentifikator eines Modells ohne Kompromittierungsmeldungen.
violation-required-compliant-sign-in = Melden Sie sich mit einem Passkey an, der die Richtlinie der Anwendung erfüllt.
violation-required-another-passkey = Melden Sie sich mit einem anderen Passkey an.
violation-required-own-passkey = Bestätigen Sie mit einem Ihrer Passkeys.
