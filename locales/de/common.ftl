## Gemeinsame Wörter, Fehler, Zeitspannen und die Meldungen des Seitenskripts.

button-continue = Weiter
button-cancel = Abbrechen
button-done = Fertig
button-sign-out = Abmelden
button-create-passkey = Passkey erstellen
label-username = Benutzername
label-your-name = Ihr Name

error-heading = Das hat nicht geklappt
error-heading-ours = Etwas ist schiefgegangen
error-back = Zurück zum Anfang
error-not-found = Diese Seite gibt es nicht.
error-sign-in-required = Melden Sie sich an, um fortzufahren.
error-step-up-required = Bestätigen Sie mit Ihrem Passkey, um fortzufahren.
error-too-many = Zu viele Versuche. Versuchen Sie es in { $seconds } Sekunden erneut.
error-payload-too-large = Die Anfrage ist zu groß.
error-headers-too-large = Die Kopfzeilen der Anfrage sind zu groß.
error-internal = Auf unserer Seite ist etwas schiefgegangen.
error-malformed-form = Das Formular konnte nicht gelesen werden. Laden Sie die Seite neu und versuchen Sie es erneut.
error-malformed-address = Diese Adresse ist ungültig.
error-form-expired = Das Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es erneut.
error-foreign-origin = Die Anfrage kam nicht von dieser Website.
error-account-disabled = Dieses Konto ist deaktiviert.
error-admin-required = Das darf nur ein Administrator.
error-approver-required = Nur Genehmigende und Administratoren können die Verwaltungskonsole nutzen.
error-signup-disabled = Die Selbstregistrierung ist auf dieser Instanz nicht aktiviert.
error-request-gone = Diese Anmeldeanfrage ist abgelaufen. Kehren Sie zur Anwendung zurück und beginnen Sie erneut.
error-client-gone = Die Anwendung ist nicht mehr registriert.
error-registration-failed = Der Passkey konnte nicht registriert werden. Versuchen Sie es erneut oder verwenden Sie einen anderen Passkey.
error-language-unknown = Wählen Sie eine Sprache aus der Liste.

error-recovery-grant-invalid = Diese Wiederherstellung kann hier keinen Passkey einrichten: Sie wurde schon verwendet, ist abgelaufen oder gehört zu einem anderen Browser.
error-recovery-other-browser = Schließen Sie die Wiederherstellung in dem Browser ab, in dem sie begonnen wurde.
## Fehler des Seitenskripts nach ihrem Code.
api-username-taken = Dieser Benutzername ist vergeben; wählen Sie einen anderen.
api-invalid-username = Ein Benutzername hat 3 bis 64 Zeichen: Buchstaben, Ziffern, '.', '-', '_' oder '@'.
api-invalid-display-name = Ein Name hat 1 bis 100 Zeichen und keine Steuerzeichen.
api-challenge-expired = Diese Anmeldeanfrage ist abgelaufen oder wurde schon verwendet. Versuchen Sie es erneut.
api-wrong-account = Dieser Passkey gehört zu einem anderen Konto.
api-clone-suspected = Dieser Passkey wurde möglicherweise kopiert und kann daher nicht zur Anmeldung verwendet werden. Verwenden Sie einen anderen Passkey oder wenden Sie sich an einen Administrator.
api-last-passkey = Das ist Ihr einziger Passkey, und Sie haben keine Wiederherstellungscodes mehr: Erstellen Sie zuerst neue Wiederherstellungscodes oder fügen Sie einen weiteren Passkey hinzu.
api-user-verification-missing = Der Authenticator hat den Benutzer nicht mit PIN oder Biometrie überprüft; das ist erforderlich.
api-user-presence-missing = Der Authenticator hat nicht bestätigt, dass eine Person anwesend war.
api-unknown-credential = Der vorgelegte Passkey ist bei diesem Dienst nicht registriert.

duration-seconds = { $n ->
    [one] { $n } Sekunde
   *[other] { $n } Sekunden
}
duration-minutes = { $n ->
    [one] { $n } Minute
   *[other] { $n } Minuten
}
duration-hours = { $n ->
    [one] { $n } Stunde
   *[other] { $n } Stunden
}
duration-days = { $n ->
    [one] { $n } Tag
   *[other] { $n } Tage
}
duration-joiner = {" "}

scope-openid = Ihre Konto-ID
scope-profile = Ihren Namen und Benutzernamen
scope-email = Ihre E-Mail-Adresse
scope-offline-access = Zugriff, während Sie nicht da sind (Refresh-Tokens)
scope-other = die Berechtigung „{ $scope }“

js-request-failed = Die Anfrage ist fehlgeschlagen. Versuchen Sie es erneut.
js-cancelled = Die Passkey-Anfrage wurde abgebrochen oder ist abgelaufen.
js-signing-in = Anmeldung läuft…
js-follow-prompt = Folgen Sie der Aufforderung Ihres Browsers…
js-saving-passkey = Ihr Passkey wird gespeichert…
js-confirm-first = Bestätigen Sie zuerst mit einem Passkey, den Sie schon haben…
js-now-create = Erstellen Sie jetzt den neuen Passkey…
js-link-incomplete = Dieser Link ist unvollständig. Öffnen Sie ihn genau so, wie er in der Nachricht steht.
# The instance's support link in every page's header.
support-link = Hilfe
