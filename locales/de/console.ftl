## The admin console: accounts, applications, keys, settings, branding,
## dashboard and audit log.


## Gemeinsame Wörter

admin-days = { $n ->
    [one] { $n } Tag
   *[other] { $n } Tage
}
admin-disabled = deaktiviert
admin-groups = Gruppen
admin-none = keine
admin-never = nie
admin-tier-standard = Standard
admin-tier-elevated = erhöht
admin-tier-critical = kritisch
admin-role-admin = Administrator
admin-role-approver = Genehmiger
admin-save = Speichern
admin-col-username = Benutzername
admin-col-email = E-Mail
admin-col-roles = Rollen
admin-col-model = Modell
admin-col-attestation = Attestierung
admin-col-added = Hinzugefügt
admin-col-last-used = Zuletzt verwendet
admin-col-device = Gerät
admin-col-address = Adresse
admin-col-signed-in = Angemeldet
admin-col-last-active = Zuletzt aktiv
admin-col-application = Anwendung
admin-col-scopes = Scopes
admin-col-allowed = Erlaubt
admin-col-made = Gestellt
admin-col-actor = Akteur
admin-col-subject = Betroffen
admin-col-detail = Einzelheiten

## Ablehnungen

admin-refusal-accounts = Konten sind Administratoren vorbehalten.
admin-refusal-applications = Anwendungen sind Administratoren vorbehalten.
admin-refusal-keys = Signaturschlüssel sind Administratoren vorbehalten.
admin-refusal-settings = Einstellungen sind Administratoren vorbehalten.
admin-refusal-branding = Das Erscheinungsbild ist Administratoren vorbehalten.
admin-refusal-dashboard = Die Übersicht ist Administratoren vorbehalten.
admin-refusal-audit = Das Audit-Protokoll ist Administratoren vorbehalten.
admin-refusal-search-too-long = Suchen Sie nach höchstens 100 Zeichen eines Namens oder einer Adresse.
admin-refusal-choose-group-list = Wählen Sie eine Gruppe aus der Liste.
admin-refusal-invitation-days = Eine Einladung gilt 1, 3 oder 7 Tage.
admin-refusal-choose-tier = Wählen Sie die Stufe Standard, erhöht oder kritisch.
admin-refusal-choose-groups = Wählen Sie Gruppen aus der Liste.
admin-refusal-choose-role = Wählen Sie die Rolle Administrator oder Genehmiger.
admin-refusal-group-change = Fügen Sie zu einer Gruppe hinzu oder entfernen Sie aus einer.
admin-refusal-choose-group = Wählen Sie eine Gruppe.
admin-refusal-no-such-group = Diese Gruppe gibt es nicht.
admin-refusal-overlap = Das alte Geheimnis kann 0, 1 Stunde, 24 Stunden oder 7 Tage weiter gelten.
admin-refusal-self-signup = Die Selbstregistrierung ist entweder offen oder geschlossen.
admin-refusal-refresh-lifetime = Ein Refresh-Token gilt zwischen 1 und 2160 Stunden (90 Tage).

## Konten

admin-users-title = Konten
admin-users-search-label = Name oder E-Mail-Adresse
admin-users-group = Gruppe
admin-users-any-group = Alle Gruppen
admin-users-search = Suchen
admin-users-none = Noch keine Konten: Laden Sie Personen mit <code>latchkey user invite</code> ein.
admin-users-no-match = Kein Konto passt.
admin-users-more = Weitere Konten
admin-invite-summary = Jemanden einladen
admin-invite-email = E-Mail-Adresse
admin-invite-valid-for = Gültig für
admin-invite-administrator = Administrator (nur solange die Instanz weniger als drei hat)
admin-invite-create = Einladungslink erstellen
admin-invited-title = Einladung
admin-invited-heading = Einladung für { $email }
admin-invited-administrator = Ein <strong>Administrator</strong>-Konto.
admin-invited-tier = Das Konto beginnt in der Stufe <strong id="invited-tier">{ $tier }</strong>.
admin-invited-link = Der Link funktioniert einmal, bis { $expires }. Latchkey verschickt ihn nicht: Geben Sie ihn { $email } selbst, über einen Kanal, dem Sie vertrauen. Er wird nur jetzt angezeigt.
admin-invited-back = Zurück zu den Konten

## Ein Konto

admin-back-accounts = ← Konten
admin-user-see-request = Anfrage ansehen
admin-user-read-only = Passkeys, Wiederherstellungscodes, die Adresse und die Rollen ändern sich nur durch die Person, der das Konto gehört, oder durch eine geschützte Anfrage mit ihren Wartezeiten und Zustimmungen; die Konsole kann keine Anmeldedaten hinzufügen oder zurücksetzen.
admin-user-roles-tier = Rollen und Stufe
admin-user-roles-tier-intro = Eine Rolle oder eine neue Stufe ist eine geschützte Änderung: Sie öffnet eine Anfrage, die nach der Wartezeit und den Zustimmungen anderer Personen wirksam wird, die die Stufe von { $username } verlangt. { $username } wird benachrichtigt, mit einem Link zum Abbrechen.
admin-user-grant-admin = Rolle Administrator vergeben
admin-user-grant-approver = Rolle Genehmiger vergeben
admin-user-change-tier = Stufe ändern
admin-user-no-group = { $username } ist in keiner Gruppe.
admin-user-group-remove = Entfernen
admin-user-add-to = Hinzufügen zu
admin-user-group-add = Hinzufügen
admin-user-groups-note = Das Hinzufügen wirkt sofort. Das Verlassen einer Gruppe mit einer Attestierungsrichtlinie würde lockern, was für { $username } gilt: Lösen Sie zuerst die Richtlinie.
admin-user-enable-note = { $username } wieder zu aktivieren ist eine geschützte Änderung: Sie wird wirksam, sobald andere Personen zugestimmt haben.
admin-user-enable = Aktivierung von { $username } beantragen
admin-user-disable-note = Das Deaktivieren wirkt sofort: Jede Sitzung von { $username } endet, und die Refresh- und Access-Tokens der Anwendungen für das Konto funktionieren nicht mehr. Die erneute Aktivierung ist eine geschützte Änderung, der andere Administratorinnen und Administratoren zustimmen.
admin-user-disable = { $username } deaktivieren
admin-user-passkeys = Passkeys
admin-user-passkeys-none = Kein aktiver Passkey: Die Person kommt nur über die Kontowiederherstellung wieder hinein.
admin-user-clone-suspected = Möglicherweise geklont: abgelehnt, bis die Markierung aufgehoben ist
admin-user-sessions = Sitzungen
admin-user-sessions-none = Nirgends angemeldet.
admin-user-end-session = Sitzung beenden
admin-user-consents = Erlaubte Anwendungen
admin-user-consents-none = Keine Einwilligung erteilt: Es werden nur Anwendungen verwendet, die keine brauchen (eigene Anwendungen).
admin-user-requests = Wiederherstellung und geschützte Änderungen
admin-user-requests-none = Für dieses Konto wurde keine Anfrage gestellt.
admin-user-events = Neueste Audit-Ereignisse
admin-user-events-none = Kein Audit-Ereignis nennt dieses Konto.
admin-user-all-events = Alle Ereignisse zu { $username }
admin-fact-display-name = Anzeigename
admin-fact-email = E-Mail
admin-fact-tier = Stufe
admin-fact-roles = Rollen
admin-fact-created = Erstellt
admin-fact-live-sessions = Aktive Sitzungen
admin-fact-disabled = Deaktiviert
admin-user-email-verified = { $email } (bestätigt)
admin-user-email-not-verified = { $email } (nicht bestätigt)
admin-user-tier-pinned = { $tier } (von einem Administrator festgelegt)
admin-user-unknown-model = Unbekanntes Modell
admin-user-attestation-verified = geprüft
admin-user-attestation-verified-format = geprüft ({ $format })
admin-flash-user-disabled = Das Konto ist deaktiviert: Seine Sitzungen, Refresh-Tokens und Access-Tokens sind beendet.
admin-flash-group-added = Zur Gruppe hinzugefügt.
admin-flash-group-removed = Aus der Gruppe entfernt.
admin-flash-session-ended = Die Sitzung ist beendet, samt den Refresh- und Access-Tokens, die Anwendungen über sie hielten.
admin-flash-requested = Die Anfrage ist offen: Sie wird wirksam, sobald ihre Wartezeit verstrichen ist und andere Personen zugestimmt haben.

## Arten von Audit-Ereignissen, wie die Audit-Seite sie nennt

admin-event-instance-initialised = Instanz eingerichtet
admin-event-instance-master-key-created = Hauptschlüssel erstellt
admin-event-signing-key-created = Signaturschlüssel erstellt
admin-event-signing-key-activated = Signaturschlüssel aktiviert
admin-event-signing-key-retired = Signaturschlüssel außer Dienst gestellt
admin-event-admin-bootstrap-issued = Link für den ersten Administrator ausgestellt
admin-event-admin-bootstrapped = Erster Administrator eingerichtet
admin-event-user-created = Konto erstellt
admin-event-user-disabled = Konto deaktiviert
admin-event-user-enabled = Konto aktiviert
admin-event-user-role-granted = Rolle vergeben
admin-event-user-tier-changed = Stufe geändert
admin-event-invitation-created = Einladung erstellt
admin-event-invitation-accepted = Einladung angenommen
admin-event-passkey-registered = Passkey hinzugefügt
admin-event-passkey-renamed = Passkey umbenannt
admin-event-passkey-revoked = Passkey widerrufen
admin-event-passkey-clone-suspected = Passkey möglicherweise geklont
admin-event-passkey-clone-flag-cleared = Klon-Markierung aufgehoben
admin-event-sign-in-succeeded = Angemeldet
admin-event-sign-in-failed = Anmeldung abgelehnt
admin-event-sessions-revoked = Sitzungen beendet
admin-event-session-ended = Sitzung beendet
admin-event-recovery-codes-generated = Neue Wiederherstellungscodes
admin-event-recovery-codes-used = Wiederherstellungscode verwendet
admin-event-client-created = Anwendung registriert
admin-event-client-updated = Anwendung geändert
admin-event-client-secret-rotated = Geheimnis der Anwendung erneuert
admin-event-audit-exported = Audit-Protokoll exportiert
admin-event-console-refused = Zugriff auf die Konsole abgelehnt
admin-event-guarded-action-requested = Anfrage gestellt
admin-event-guarded-action-transitioned = Status der Anfrage geändert
admin-event-guarded-action-approval-recorded = Zustimmung erfasst
admin-event-guarded-action-oob-recorded = Prüfung über einen anderen Kanal erfasst
admin-event-guarded-action-factor-verified = Faktor geprüft
admin-event-guarded-action-factor-failed = Falscher Faktor
admin-event-guarded-action-cancelled = Anfrage abgebrochen
admin-event-guarded-action-denied = Anfrage abgelehnt
admin-event-guarded-action-expired = Anfrage abgelaufen
admin-event-guarded-action-locked = Anfrage gesperrt
admin-event-guarded-action-completed = Anfrage abgeschlossen
admin-event-guarded-action-notified = Benachrichtigung gesendet
admin-event-enrolment-grant-issued = Einrichtungsberechtigung ausgestellt
admin-event-enrolment-grant-redeemed = Einrichtungsberechtigung verwendet
admin-event-policy-changed = Richtlinie für geschützte Änderungen geändert
admin-event-recovery-policy-initialised = Wiederherstellungsrichtlinie eingerichtet
admin-event-recovery-policy-changed = Wiederherstellungsrichtlinie geändert
admin-event-setting-changed = Einstellung geändert
admin-event-refresh-family-revoked = Sitzungen von Anwendungen beendet
admin-event-consent-granted = Einwilligung erteilt
admin-event-consent-revoked = Einwilligung widerrufen
admin-event-metadata-imported = Authentifikator-Metadaten importiert
admin-event-attestation-policy-saved = Attestierungsrichtlinie gespeichert
admin-event-attestation-policy-assigned = Attestierungsrichtlinie zugewiesen
admin-event-attestation-policy-unassigned = Attestierungsrichtlinie entfernt
admin-event-group-created = Gruppe erstellt
admin-event-group-member-added = Zu einer Gruppe hinzugefügt
admin-event-group-member-removed = Aus einer Gruppe entfernt
admin-event-email-verification-sent = Bestätigungs-E-Mail gesendet
admin-event-email-verified = E-Mail-Adresse bestätigt
admin-event-other = Anderes Ereignis

## Anwendungen

admin-enabled = aktiviert
admin-hours = { $n ->
    [one] { $n } Stunde
   *[other] { $n } Stunden
}
admin-refusal-unknown-policy = Attestierungsrichtlinie: Eine Richtlinie dieses Namens gibt es nicht.
admin-refusal-min-level = Mindeststufe: Wählen Sie keine, phr oder phrh.
admin-clients-title = Anwendungen
admin-clients-nothing-registered = Es wurde nichts registriert.
admin-clients-register-summary = Eine Anwendung registrieren
admin-clients-public = Öffentlicher Client (eine native oder Browser-App ohne Geheimnis; PKCE)
admin-clients-alg = Signaturalgorithmus des ID-Tokens
admin-clients-register = Registrieren
admin-clients-none = Noch keine Anwendungen. Registrieren Sie eine hier oder mit <code>latchkey client create</code>.
admin-col-type = Typ
admin-col-min-level = Mindeststufe
admin-col-consent = Einwilligung
admin-client-kind-public = öffentlich
admin-client-kind-confidential = vertraulich
admin-client-type-public = öffentlich (kein Geheimnis; PKCE)
admin-client-consent-asked = wird erfragt
admin-client-consent-not-asked = wird nicht erfragt (eigene Anwendung)
admin-field-name = Name
admin-field-redirect-uris = Weiterleitungs-URIs
admin-field-logout-uris = Weiterleitungs-URIs nach der Abmeldung
admin-field-alg = Algorithmus des ID-Tokens
admin-field-scopes = Scopes
admin-field-resources = Ressourcen
admin-field-application = Anwendung
admin-back-clients = ← Anwendungen
admin-client-nothing-changed = Es wurde nichts geändert.
admin-client-settings = Einstellungen
admin-client-fixed = Öffentlich oder vertraulich und der Algorithmus des ID-Tokens stehen fest: Registrieren Sie eine neue Anwendung, um sie zu ändern.
admin-client-presentation = So sehen Personen sie
admin-client-presentation-intro = Angezeigt auf den Seiten für Anmeldung, Einwilligung und Bestätigung. Links müssen https verwenden. Das Logo (PNG oder SVG, höchstens 100 KiB) wird einmal abgerufen, wenn seine Adresse gespeichert wird, und von hier ausgeliefert: Die Browser der Personen kontaktieren die Website der Anwendung dafür nie.
admin-client-logo-alt = Das Logo von { $name }
admin-client-logo-uri = Adresse des Logos
admin-client-home-page = Startseite
admin-client-privacy-policy = Datenschutzerklärung
admin-client-terms = Nutzungsbedingungen
admin-client-secret = Geheimnis
admin-client-rotate-intro = Ein neues Geheimnis wird einmal angezeigt. Bis die Anwendung umkonfiguriert ist, kann das aktuelle Geheimnis noch eine Weile gelten; nach einem Leck wählen Sie „sofort beenden“.
admin-client-overlap = Das aktuelle Geheimnis gilt weiter für
admin-client-overlap-stop = sofort beenden
admin-client-rotate = Geheimnis erneuern
admin-client-access = Zugang
admin-client-enable-note = Durch das Aktivieren kann die Anwendung wieder Personen anmelden; beendete Berechtigungen bleiben beendet.
admin-client-enable = { $name } aktivieren
admin-client-disable-note = Das Deaktivieren wirkt sofort: Niemand kann sich mehr bei { $name } anmelden, und jedes Refresh- und Access-Token, das sie hält, funktioniert nicht mehr.
admin-client-disable = { $name } deaktivieren
admin-fact-client-id = Client-ID
admin-fact-type = Typ
admin-fact-authentication = Authentifizierung
admin-fact-alg = Algorithmus des ID-Tokens
admin-fact-status = Status
admin-fact-previous-secret = Vorheriges Geheimnis gilt bis
admin-flash-client-updated = Die Einstellungen der Anwendung sind gespeichert.
admin-flash-client-presented = Gespeichert: Die Anmelde- und Einwilligungsseiten zeigen es ab jetzt.
admin-flash-client-disabled = Die Anwendung ist deaktiviert: Sie kann niemanden mehr anmelden, und jedes Token, das sie hielt, ist beendet.
admin-flash-client-enabled = Die Anwendung ist wieder aktiviert. Ihre früheren Berechtigungen bleiben beendet: Ihre Nutzerinnen und Nutzer melden sich neu an.
admin-form-name = Name (wird Personen auf der Einwilligungsseite angezeigt)
admin-form-redirect-uris = Weiterleitungs-URIs, eine pro Zeile (exakt verglichen; https, oder http auf localhost)
admin-form-logout-uris = Weiterleitungs-URIs nach der Abmeldung, eine pro Zeile (optional)
admin-form-min-acr = Mindeststufe der Anmeldung
admin-form-acr-any = Jeder Passkey
admin-form-acr-phr = phr — ein Passkey mit Benutzerverifizierung
admin-form-acr-phrh = phrh — ein gerätegebundener, attestierter Passkey
admin-form-scopes = Scopes, die ihr erteilt werden dürfen, durch Leerzeichen getrennt
admin-form-resources = Ressourcen (RFC 8707), für die sie Tokens anfordern darf, eine pro Zeile (optional)
admin-form-first-party = Eigene Anwendung: Personen werden nicht um Einwilligung gebeten
admin-form-policy = Attestierungsrichtlinie (der Passkey der Anmeldung muss sie erfüllen)
admin-form-policy-none = Keine
admin-form-policy-note = Die Richtlinie zu entfernen oder eine lockerere zu wählen, erfordert Zustimmung: Das Speichern öffnet eine Anfrage.
admin-secret-registered = { $name } ist registriert
admin-secret-new = Neues Geheimnis für { $name }
admin-secret-shown-once = Das Client-Geheimnis wird nur jetzt angezeigt; Latchkey speichert nur seinen Hash. Tragen Sie es in die Konfiguration der Anwendung ein.
admin-secret-previous-until = Das vorherige Geheimnis gilt weiter bis { $until }.
admin-secret-previous-ended = Das vorherige Geheimnis gilt nicht mehr.
admin-secret-public = Ein öffentlicher Client hat kein Geheimnis: Er meldet Personen mit PKCE an.
admin-secret-back = Zurück zu { $name }

## Signaturschlüssel

admin-keys-title = Signaturschlüssel
admin-keys-intro = Der aktive Schlüssel jedes Algorithmus signiert neue Tokens; der nächste Schlüssel ist bereits veröffentlicht, damit Anwendungen ihn kennen, bevor er signiert; ein außer Dienst gestellter Schlüssel bleibt veröffentlicht, bis die von ihm signierten Tokens abgelaufen sind.
admin-keys-none = Noch kein Signaturschlüssel: Der erste wird beim Start des Servers erstellt.
admin-col-key-id = Schlüssel-ID
admin-col-algorithm = Algorithmus
admin-col-created = Erstellt
admin-col-signing-since = Signiert seit
admin-col-published-until = Veröffentlicht bis
admin-key-active = aktiv
admin-key-next = nächster
admin-key-retired = außer Dienst
admin-key-not-yet = noch nicht
admin-key-while-in-use = solange in Gebrauch
admin-keys-rotate-intro = Das Erneuern macht den nächsten Schlüssel jedes Algorithmus zum aktiven, stellt den aktiven außer Dienst und veröffentlicht einen neuen nächsten Schlüssel — dasselbe wie <code>latchkey keys rotate</code>.
admin-keys-rotate = Jetzt erneuern
admin-flash-keys-rotated = Erneuert: Der nächste Schlüssel signiert jetzt neue Tokens; der bisherige aktive Schlüssel bleibt veröffentlicht, bis die von ihm signierten Tokens abgelaufen sind. Andere Server übernehmen die Änderung innerhalb einer Minute.

## Einstellungen

admin-settings-title = Einstellungen
admin-settings-intro = Diese gelten sofort, auf jedem Server, ohne Neustart. Die Konfigurationsdatei bestimmt den Wert einer Einstellung, bis er hier zum ersten Mal geändert wird; ab dann gilt der hier gesetzte Wert.
admin-settings-self-signup = Selbstregistrierung
admin-settings-self-signup-intro = Wer die Registrierungsseite öffnet, kann ohne Einladung ein Konto erstellen.
admin-settings-open = Offen
admin-settings-closed = Geschlossen: Konten nur auf Einladung
admin-settings-refresh = Refresh-Tokens
admin-settings-refresh-hours = Wie lange das Refresh-Token einer Anwendung nach der Anmeldung gilt, in Stunden (1 bis 2160, also 90 Tage)
admin-settings-refresh-note = Gilt für Anmeldungen ab jetzt; zuvor ausgestellte Refresh-Tokens behalten ihre Laufzeit. Access- und ID-Tokens gelten immer 10 Minuten.
admin-flash-settings-saved = Gespeichert: Es gilt ab der nächsten Anfrage.

## Erscheinungsbild

admin-branding-title = Erscheinungsbild
admin-branding-intro = Name, Farbe, Logo und Support-Link auf jeder Seite, für jede Anwendung, die hier Personen anmeldet. Sie gelten sofort auf jedem Server. Die Tabelle <code>[branding]</code> der Konfigurationsdatei bestimmt sie, bis sie hier zum ersten Mal geändert werden.
admin-branding-colour = Hauptfarbe <span class="muted">(#rrggbb; leer für die eingebaute)</span>
admin-branding-colour-help = Schaltflächen tragen weißen Text auf dieser Farbe, daher muss sie ein Kontrastverhältnis von mindestens 4,5:1 ergeben (WCAG AA); eine hellere Farbe wird abgelehnt.
admin-branding-support = Support-Link <span class="muted">(optional)</span>
admin-branding-logo = Logo <span class="muted">(PNG oder SVG, höchstens 100 KiB)</span>
admin-branding-logo-alt = Das aktuelle Logo
admin-branding-no-logo = Noch kein Logo: Die Seiten zeigen nur den Namen.
admin-branding-remove-logo = Logo entfernen
admin-flash-branding-saved = Gespeichert: Jede Seite zeigt es ab jetzt.

## Dashboard

admin-decimal-separator = ,
admin-dashboard-title = Übersicht
admin-dashboard-catching-up = Anmeldungen der letzten Augenblicke werden noch gezählt; laden Sie die Seite in einer Minute neu, um vollständige Zahlen zu sehen.
admin-dashboard-nothing = Noch nichts erfasst.
admin-dashboard-as-table = Die Zahlen als Tabelle
admin-dashboard-sign-ins = Anmeldungen, letzte 30 Tage
admin-dashboard-refused = Abgelehnte Anmeldungen, letzte 30 Tage
admin-dashboard-awaiting = Anfragen, die auf Zustimmung warten
admin-dashboard-median = Mittlere Dauer bis zum Abschluss einer Anfrage (Median)
admin-dashboard-none-completed = noch keine abgeschlossen
admin-dashboard-minutes = { $n } Min.
admin-dashboard-hours = { $n } Std.
admin-dashboard-days = { $n } Tage
admin-dashboard-device-bound-attested = gerätegebunden, attestiert
admin-dashboard-flow-autofill = Autofill
admin-dashboard-flow-modal = Dialog
admin-dashboard-flow-cross-device = geräteübergreifend
admin-dashboard-flow-other = andere
admin-dashboard-flow-refused = abgelehnt
admin-chart-adoption = Verbreitung
admin-chart-invited = Eingeladen
admin-chart-enrolled = Eingerichtet
admin-chart-two-or-more = Mind. zwei Passkeys
admin-chart-recovery-codes = Wiederherstellungscodes gespeichert
admin-chart-sign-ins = Anmeldungen pro Tag nach Ablauf, und abgelehnte
admin-chart-day = Tag
admin-chart-failures = Häufigste Gründe abgelehnter Anmeldungen (30 Tage)
admin-chart-passkey-kinds = Passkeys nach Art
admin-chart-passkey-models = Passkeys nach Modell
admin-chart-requests = Wiederherstellungen und geschützte Änderungen nach Status
admin-unit-accounts = Konten
admin-unit-sign-ins = Anmeldungen
admin-unit-passkeys = Passkeys
admin-unit-requests = Anfragen

## Audit-Protokoll

admin-audit-title = Audit-Protokoll
admin-audit-intro = Jedes Sicherheitsereignis, das neueste zuerst. Jede Zeile ist mit der vorherigen durch einen mit einem Schlüssel gebildeten Hash verkettet, sodass eine geänderte, eingefügte oder entfernte Zeile bei der Prüfung der Kette auffällt.
admin-audit-verdict-intact = Die Kette ist intakt. { $summary }
admin-audit-verdict-broken = Die Kette ist UNTERBROCHEN. { $summary }
admin-audit-any = Alle
admin-audit-actor-placeholder = Konto-ID, cli, system
admin-audit-subject-placeholder = Konto- oder Client-ID
admin-audit-from = Von (UTC)
admin-audit-until = Bis (UTC)
admin-audit-request-placeholder = ID einer geschützten Anfrage
admin-audit-filter = Filtern
admin-audit-export-jsonl = Als JSON Lines exportieren
admin-audit-export-csv = Als CSV exportieren
admin-audit-verify = Kette prüfen
admin-audit-none = Keine Audit-Ereignisse passen.
admin-audit-older = Ältere Ereignisse
admin-refusal-bad-actor = Das ist kein gültiger Akteur.
admin-refusal-bad-subject = Das ist keine gültige Angabe für „Betroffen“.
admin-refusal-bad-request-id = Das ist keine gültige Anfrage-ID.
admin-refusal-bad-from = Die Von-Zeit ist kein Datum (2026-12-01) und kein Datum mit Uhrzeit (2026-12-01T14:30).
admin-refusal-bad-until = Die Bis-Zeit ist kein Datum (2026-12-01) und kein Datum mit Uhrzeit (2026-12-01T14:30).
admin-refusal-bad-kind = Das ist keine Art von Audit-Ereignis.
admin-refusal-from-after-until = Die Von-Zeit muss vor der Bis-Zeit liegen.
admin-refusal-bad-position = Das ist keine Position im Audit-Protokoll.

## Abgelehnte Registrierung einer Anwendung (nach dem Namen des Felds)

admin-reg-invalid-name = Der Name muss 1 bis { $max } Zeichen ohne Steuerzeichen lang sein
admin-reg-no-redirect-uri = Mindestens eine Weiterleitungs-URI ist nötig
admin-reg-too-many-redirect-uris = Höchstens { $max } Weiterleitungs-URIs können registriert werden
admin-reg-redirect-uri-refused = Die Weiterleitungs-URI { $uri } wird abgelehnt: { $reason }
admin-reg-logout-uri-refused = Die Weiterleitungs-URI nach der Abmeldung { $uri } wird abgelehnt: { $reason }
admin-reg-redirect-uri-twice = Die Weiterleitungs-URI { $uri } steht zweimal in der Liste
admin-reg-unsupported-alg = Der Algorithmus { $alg } für ID-Tokens wird nicht unterstützt; verwenden Sie ES256, RS256 oder EdDSA
admin-reg-invalid-scope = { $scope } ist kein Scope-Wert: Verwenden Sie 1 bis { $max } druckbare ASCII-Zeichen ohne Leerzeichen, Anführungszeichen oder Backslashes (RFC 6749 §3.3)
admin-reg-too-many-scopes = Höchstens { $max } Scopes können registriert werden
admin-reg-scope-twice = Der Scope { $scope } steht zweimal in der Liste
admin-reg-resource-refused = Die Ressource { $uri } wird abgelehnt: { $reason }
admin-reg-too-many-resources = Höchstens { $max } Ressourcen können registriert werden
admin-reg-resource-twice = Die Ressource { $uri } steht zweimal in der Liste
admin-redirect-empty = die Weiterleitungs-URI ist leer
admin-redirect-too-long = die Weiterleitungs-URI ist länger als { $max } Zeichen
admin-redirect-forbidden-character = die Weiterleitungs-URI enthält Leerraum, ein Steuerzeichen oder einen Backslash
admin-redirect-not-absolute = die Weiterleitungs-URI ist keine absolute URI
admin-redirect-fragment = die Weiterleitungs-URI hat ein Fragment (#…), was RFC 6749 §3.1.2 verbietet
admin-redirect-userinfo = die Weiterleitungs-URI enthält einen Benutzernamen oder ein Passwort
admin-redirect-insecure-http = einfaches http ist nur für Loopback-Hosts erlaubt (localhost, 127.0.0.1, [::1]); verwenden Sie https
admin-redirect-missing-host = die Weiterleitungs-URI hat keinen Host
admin-redirect-unsupported-scheme = das Schema { $scheme } ist nicht erlaubt: Verwenden Sie https, http auf einem Loopback-Host oder ein privates Schema in umgekehrter Domain-Form (com.example.app:/callback)
admin-resource-empty = die Ressourcen-URI ist leer
admin-resource-too-long = die Ressourcen-URI ist länger als { $max } Zeichen
admin-resource-forbidden-character = die Ressourcen-URI enthält Leerraum, ein Steuerzeichen, ein Anführungszeichen, spitze Klammern oder einen Backslash
admin-resource-not-absolute = die Ressourcen-URI ist keine absolute URI
admin-resource-fragment = die Ressourcen-URI hat ein Fragment (#…), was RFC 8707 §2 verbietet
admin-resource-userinfo = die Ressourcen-URI enthält einen Benutzernamen oder ein Passwort
admin-resource-missing-host = die Ressourcen-URI hat keinen Host
admin-resource-insecure-http = einfaches http ist nur für localhost erlaubt (localhost, 127.0.0.1, [::1]); verwenden Sie https
admin-resource-unsupported-scheme = das Schema { $scheme } ist für eine Ressource nicht erlaubt: Verwenden Sie https (oder http auf localhost)

## Abgelehnte Werte des Erscheinungsbilds

admin-branding-refused-name = Der Name muss 1 bis { $max } Zeichen lang sein, ohne Steuerzeichen.
admin-branding-refused-colour = { $colour } ist keine Farbe: Schreiben Sie sie als #rrggbb, zum Beispiel #1f4fd1.
admin-branding-refused-contrast = { $colour } ergibt für weißen Schaltflächentext ein Kontrastverhältnis von { $ratio }:1; WCAG AA verlangt mindestens 4,5:1. Wählen Sie eine dunklere Farbe.
admin-branding-refused-support-url = { $url } ist kein Support-Link: Geben Sie eine https-Adresse an (http nur zu diesem Rechner), ohne Benutzernamen oder Passwort, mit höchstens 512 Zeichen.
admin-branding-refused-logo-size = Das Logo hat { $bytes } Bytes; höchstens 102400 Bytes (100 KiB) werden angenommen.
admin-branding-refused-logo-type = Das Logo muss ein PNG- oder SVG-Bild sein.
admin-branding-refused-logo-pixels = Das PNG-Logo hat { $width }×{ $height } Pixel; höchstens 1024×1024 werden angenommen.
admin-branding-refused-svg = Das SVG-Logo enthält { $what }, was nicht angenommen wird: Skripte, Event-Handler, eingebettete Dokumente und Links zu anderen Websites werden abgelehnt.
admin-svg-script = ein Skript
admin-svg-javascript = einen javascript:-Link
admin-svg-foreign-object = eingebettetes HTML (foreignObject)
admin-svg-embedded-document = ein eingebettetes Dokument
admin-svg-entity = eine Entity-Deklaration
admin-svg-doctype = eine Dokumenttyp-Deklaration
admin-svg-import = einen Stylesheet-Import
admin-svg-link = einen Link zu einer anderen Website
admin-svg-data-url = eine eingebettete data:-URL
admin-svg-event-handler = einen Event-Handler (on…-Attribut)
admin-invite-refused-email = Das ist keine E-Mail-Adresse.
admin-invite-refused-account-exists = Ein Konto mit dieser Adresse existiert bereits. Einladungen erstellen neue Konten; ein verlorener Passkey wird über die Kontowiederherstellung ersetzt.
admin-invite-refused-founding-admins = Diese Instanz hat ihre ersten Administratoren. Weitere Administratoren erhalten die Rolle über eine geschützte Anfrage, der andere Administratoren zustimmen.
