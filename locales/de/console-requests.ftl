## The admin console: navigation, guarded-action requests and approvals,
## attestation policies and recovery policies.

console-age-now = gerade eben
console-age-minutes = { $n } Min.
console-age-hours = { $n } Std.
console-age-days = { $n } { $n ->
    [one] Tag
   *[other] Tage
}
console-col-request = Anfrage
console-col-account = Konto
console-col-tier = Stufe
console-col-state = Status
console-col-age = Alter
console-col-approvals = Zustimmungen
console-col-approver = Genehmigende Person
console-col-decision = Entscheidung
console-col-comment = Kommentar
console-col-when = Zeitpunkt
console-col-factor = Faktor
console-col-verified = Geprüft
console-col-notice = Benachrichtigung
console-col-channels = Kanäle
console-col-what = Was
console-col-details = Einzelheiten
console-col-by = Von
console-col-name = Name
console-col-rules = Regeln
console-col-accounts = Konten
console-col-kind = Art
console-col-target = Ziel
console-col-factors = Faktoren
console-col-delay = Wartezeit
console-col-lifetime = Gültigkeit
console-col-revokes = Abschluss widerruft
console-col-stored = Gespeichert
console-col-without-complying = Ohne konformen Passkey
console-col-passkeys-refused = Abgelehnte Passkeys
console-col-complying = Konforme Passkeys
console-col-refused = Abgelehnte Passkeys
console-col-refused-and-fix = Abgelehnte Passkeys und was konform wäre
console-col-would-comply-long = Passkeys, die konform wären
console-col-would-comply = Wären konform
console-col-would-stop-long = Passkeys, die nicht mehr konform wären, und was konform wäre
console-col-would-stop = Wären nicht mehr konform
console-nav-label = Verwaltungskonsole
console-nav-dashboard = Übersicht
console-nav-approvals = Freigaben
console-nav-accounts = Konten
console-nav-applications = Anwendungen
console-nav-keys = Schlüssel
console-nav-policies = Richtlinien
console-nav-recovery = Wiederherstellung
console-nav-audit = Audit-Protokoll
console-nav-settings = Einstellungen
console-nav-branding = Erscheinungsbild
console-nav-signed-in-as = Angemeldet als <strong>{ $name }</strong>
console-nav-your-account = Ihr Konto
console-title = { $page } · Verwaltung — { $instance }
