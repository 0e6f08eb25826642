## Kontowiederherstellung und die Links der Benachrichtigungen.

recover-title = Ihr Konto wiederherstellen
recover-heading = Passkey verloren?
recover-intro = Nennen Sie Ihr Konto. Wenn es existiert, erfahren alle, die seine Benachrichtigungen erhalten, sofort davon und können abbrechen; dann weisen Sie mit einem Wiederherstellungscode nach, dass Sie es sind, und nach einer Wartezeit richten Sie auf diesem Gerät einen neuen Passkey ein.
recover-account-label = Benutzername oder E-Mail-Adresse
recover-back-to-signin = Zurück zur Anmeldung
recover-keep-open = Lassen Sie diesen Browser offen: Die Wiederherstellung kann nur hier abgeschlossen werden.
recover-name-account = Geben Sie den Benutzernamen oder die E-Mail-Adresse Ihres Kontos ein.

recover-enrol-heading = Ihren neuen Passkey einrichten
recover-enrol-intro = Ihr Konto <strong>{ $username }</strong> ist wiederhergestellt. Erstellen Sie einen Passkey auf diesem Gerät; danach sind Sie angemeldet und erhalten neue Wiederherstellungscodes, die einmal angezeigt werden.

recover-factor-heading = Weisen Sie nach, dass Sie es sind
recover-factor-progress = { $given } von { $needed } Nachweisen erbracht. Dieses Konto braucht einen weiteren, von anderer Art.
recover-factor-code-heading = Ein Wiederherstellungscode
recover-factor-code-intro = Einer der Codes, die Sie beim Einrichten Ihres Kontos gespeichert haben. Jeder funktioniert einmal; fünf falsche Codes stoppen diese Wiederherstellung.
recover-factor-code-label = Wiederherstellungscode
recover-factor-code-button = Diesen Code verwenden
recover-factor-email-heading = Ein Link an Ihre E-Mail-Adresse
recover-factor-email-intro = Wenn das Konto eine bestätigte E-Mail-Adresse hat, senden wir ihr einen Link, der einmal und 30 Minuten lang funktioniert. Öffnen Sie ihn in diesem Browser.
recover-factor-email-button = Mir einen Link senden
recover-factor-status-link = Stand dieser Wiederherstellung
recover-factor-wrong-code = { $left ->
    [one] Dieser Code stimmt nicht. Noch { $left } Versuch, bevor diese Wiederherstellung stoppt.
   *[other] Dieser Code stimmt nicht. Noch { $left } Versuche, bevor diese Wiederherstellung stoppt.
}
recover-factor-link-sent = Wenn das Konto eine bestätigte E-Mail-Adresse hat, ist ein Link unterwegs. Öffnen Sie ihn innerhalb von 30 Minuten in diesem Browser.

recover-status-title = Kontowiederherstellung
recover-status-time-left = Verbleibende Wartezeit: <strong>{ $left }</strong>.
recover-status-approvals = Genehmigungen: <strong>{ $have } von { $need }</strong>.
recover-status-missing = Noch nötig
recover-status-finish-intro = Der Abschluss beendet jeden anderen Zugang zum Konto, wie seine Richtlinie es vorsieht (alte Passkeys, Sitzungen), und lässt Sie auf diesem Gerät einen neuen Passkey einrichten.
recover-status-finish-button = Einen neuen Passkey einrichten
recover-status-refresh = Diese Seite aktualisiert sich selbst. Lassen Sie sie offen oder kommen Sie später in diesem Browser zurück.
recover-status-update-now = Jetzt aktualisieren
recover-missing-proof = Ein Nachweis, dass Sie es sind: ein Wiederherstellungscode oder ein Link an Ihre E-Mail-Adresse
recover-missing-another-proof = Ein weiterer Nachweis, von anderer Art
recover-missing-approvals = { $n ->
    [one] { $n } Genehmigung durch die Rolle { $role } dieser Instanz
   *[other] { $n } Genehmigungen durch die Rolle { $role } dieser Instanz
}
recover-missing-identity-check = Eine Identitätsprüfung, von einer genehmigenden Person erfasst
recover-state-requested-heading = Warten auf Ihren Nachweis
recover-state-requested = Der Inhaber des Kontos wurde über diese Wiederherstellung informiert und kann sie abbrechen. Weisen Sie nach, dass Sie es sind, um die Wartezeit zu starten.
recover-state-verifying = { $given } von { $needed } Nachweisen erbracht. Dieses Konto braucht einen weiteren, von anderer Art.
recover-state-waiting-heading = Wartezeit
recover-state-waiting = Ihr Nachweis wurde angenommen. Bis die Wartezeit endet, ändert sich nichts, damit der Inhaber des Kontos Zeit zum Abbrechen hat.
recover-state-approvals-heading = Warten auf Genehmigung
recover-state-approvals = Die Wartezeit ist vorbei. Die Richtlinie dieses Kontos verlangt außerdem, dass Personen dieser Instanz die Wiederherstellung bestätigen.
recover-state-ready-heading = Bereit
recover-state-ready = Alles ist bereit. Schließen Sie innerhalb von { $left } in diesem Browser ab.
recover-state-completed-heading = Wiederhergestellt
recover-state-completed-enrol = Ihr Konto ist wiederhergestellt. Richten Sie jetzt Ihren neuen Passkey ein: Dieser Schritt funktioniert einmal, 15 Minuten lang.
recover-state-completed = Diese Wiederherstellung ist abgeschlossen.
recover-state-cancelled-heading = Abgebrochen
recover-state-cancelled = Diese Wiederherstellung wurde vom Inhaber des Kontos abgebrochen. Am Konto hat sich nichts geändert.
recover-state-denied-heading = Abgelehnt
recover-state-denied = Eine genehmigende Person hat diese Wiederherstellung abgelehnt. Am Konto hat sich nichts geändert.
recover-state-expired-heading = Abgelaufen
recover-state-expired = Diese Wiederherstellung ist abgelaufen. Am Konto hat sich nichts geändert; Sie können neu beginnen.
recover-state-locked-heading = Gestoppt
recover-state-locked = Zu viele falsche Wiederherstellungscodes: Diese Wiederherstellung ist gestoppt, und der Inhaber des Kontos wurde informiert. Am Konto hat sich nichts geändert.

recovery-link-needs-script = Diese Seite braucht JavaScript, um den Link zu lesen.
recovery-link-cancel-heading = Diese Anfrage abbrechen
recovery-link-cancel-intro = Jemand hat beantragt, Ihr Konto wiederherzustellen oder zu ändern, und dieser Link stoppt das. Nichts passiert, bis Sie auf die Schaltfläche drücken.
recovery-link-cancel-button = Die Anfrage abbrechen
recovery-link-email-heading = Bestätigen Sie, dass Sie es sind
recovery-link-email-intro = Verwenden Sie diesen Link als Nachweis für die Wiederherstellung Ihres Kontos. Er funktioniert einmal und nur in dem Browser, in dem die Wiederherstellung begonnen wurde.
recovery-link-email-button = Diesen Link verwenden
recovery-link-verify-heading = Ihre E-Mail-Adresse bestätigen
recovery-link-verify-intro = Drücken Sie die Schaltfläche, um zu bestätigen, dass diese E-Mail-Adresse Ihnen gehört. Eine bestätigte Adresse kann Ihnen helfen, Ihr Konto wiederherzustellen, wenn Sie Ihre Passkeys verlieren.
recovery-link-verify-button = Meine E-Mail-Adresse bestätigen
recovery-link-verified = Ihre E-Mail-Adresse ist bestätigt. Vielen Dank.
recovery-link-cancelled = Die Anfrage ist abgebrochen. An Ihrem Konto hat sich nichts geändert.
recovery-link-wrong-browser = Öffnen Sie diesen Link in dem Browser, in dem Sie die Wiederherstellung begonnen haben.

action-recover-account = Das Konto wiederherstellen (alle Passkeys verloren)
action-add-passkey = Einen Passkey hinzufügen
action-remove-passkey = Einen Passkey entfernen
action-regenerate-codes = Neue Wiederherstellungscodes erstellen
action-change-email = Die E-Mail-Adresse ändern
action-grant-role = Eine Rolle vergeben
action-change-tier = Die Stufe des Kontos ändern
action-weaken-policy = Eine Richtlinie lockern
action-enable-account = Das Konto wieder aktivieren

request-state-requested = beantragt
request-state-verifying-factors = Nachweise werden geprüft
request-state-waiting = wartet
request-state-awaiting-approvals = wartet auf Genehmigungen
request-state-ready = bereit
request-state-completed = abgeschlossen
request-state-cancelled = abgebrochen
request-state-denied = abgelehnt
request-state-expired = abgelaufen
request-state-locked = gesperrt

## Ablehnungen der Wiederherstellung auf den öffentlichen Seiten.
refusal-expired = Die Anfrage ist abgelaufen.
refusal-factors-incomplete = Noch nicht jeder nötige Nachweis wurde geprüft.
refusal-factor-kind-not-allowed = Diese Art von Nachweis zählt für diese Anfrage nicht.
refusal-factor-already-verified = Diese Art von Nachweis wurde bereits geprüft.
refusal-not-yet-eligible = Die Wartezeit ist noch nicht vorbei.
refusal-not-owner = Nur der Inhaber des Kontos oder wer die Anfrage gestellt hat, kann sie abbrechen.
refusal-session-mismatch = Die Anfrage kann nur in der Browsersitzung abgeschlossen werden, die sie gestellt hat.
refusal-cancel-link-invalid = Dieser Abbruch-Link ist nicht mehr gültig.
refusal-link-invalid = Dieser Link ist nicht mehr gültig.
refusal-grant-invalid = Diese Berechtigung zur Einrichtung ist nicht gültig.
refusal-not-found = Diese Anfrage gibt es nicht.
refusal-account-unavailable = Das Konto ist deaktiviert oder existiert nicht.
refusal-locked = Zu viele falsche Versuche: Die Anfrage ist gesperrt.
refusal-rate-limited = Zu viele Versuche; versuchen Sie es später erneut.
refusal-no-verified-email = Das Konto hat keine bestätigte E-Mail-Adresse.
refusal-final = Die Anfrage ist bereits { $state }.
refusal-factors-complete = Die Nachweise wurden bereits geprüft.
refusal-approvals-incomplete = { $have } von { $need } Zustimmungen erteilt.
refusal-out-of-band-check-missing = Die Identitätsprüfung auf anderem Weg wurde noch nicht erfasst.
refusal-approval-not-required = Diese Anfrage braucht keine Zustimmung.
refusal-not-yet-approvable = Der Anfrage kann erst zugestimmt werden, wenn ihre Nachweise geprüft sind.
refusal-approvals-complete = Die Anfrage hat alle nötigen Zustimmungen.
refusal-approver-is-requester = Wer eine Anfrage stellt, kann ihr nicht selbst zustimmen und nicht über sie entscheiden.
refusal-approver-is-subject = Niemand kann einer Anfrage für das eigene Konto zustimmen oder über sie entscheiden.
refusal-approver-lacks-role = Die genehmigende Person hat nicht die Rolle, die diese Anfrage verlangt.
refusal-approval-not-fresh = Die Passkey-Bestätigung der genehmigenden Person ist nicht aktuell genug.
refusal-approval-bound-elsewhere = Die Zustimmung wurde für eine andere Anfrage signiert.
refusal-already-approved = Diese genehmigende Person hat der Anfrage bereits zugestimmt.
refusal-out-of-band-not-used = Diese Anfrage sieht keine Prüfung auf anderem Weg vor.
refusal-out-of-band-already-recorded = Eine Prüfung auf anderem Weg ist bereits erfasst.
refusal-evidence-missing = Die Prüfung auf anderem Weg braucht eine Beschreibung des Nachweises.
refusal-policy-cannot-be-met = Die Richtlinie verlangt { $required } genehmigende Personen, aber nur { $available } könnten zustimmen.
refusal-wrong-factor = Der Nachweis wurde nicht angenommen (noch { $attempts_left } Versuche).
refusal-passkey-not-accepted = Dieser Passkey zählt für diese Anfrage nicht.
refusal-invalid-action = Die gewünschte Änderung ist für dieses Konto nicht möglich.
refusal-policy-not-valid = Die Richtlinie ist nicht gültig.
refusal-policy-unchanged = Die Richtlinie gilt bereits.
refusal-unknown-policy-change = Diese Art von Richtlinienänderung kann nicht angewendet werden.
refusal-stale-policy-change = Die Richtlinie hat sich seit dieser Anfrage geändert; beantragen Sie die Änderung erneut.
