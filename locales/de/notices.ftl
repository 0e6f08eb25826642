## Die Benachrichtigungen per E-Mail, in der Sprache des Kontos. Absätze
## sind eigene Nachrichten; Links und Fußzeile fügt der Code hinzu.

notice-passkey-added-subject = Ihrem Konto wurde ein Passkey hinzugefügt
notice-passkey-added = Ein neuer Passkey „{ $label }“ wurde Ihrem Konto { $username } am { $when } hinzugefügt.
notice-passkey-added-advice = Wenn Sie das nicht waren, melden Sie sich mit einem anderen Passkey an, widerrufen Sie ihn und wenden Sie sich an Ihren Administrator.
notice-passkey-revoked-subject = Ein Passkey wurde von Ihrem Konto entfernt
notice-passkey-revoked = Der Passkey „{ $label }“ wurde am { $when } von Ihrem Konto { $username } entfernt.
notice-codes-replaced-subject = Für Ihr Konto wurden neue Wiederherstellungscodes erstellt
notice-codes-replaced = Für Ihr Konto { $username } wurden am { $when } neue Wiederherstellungscodes erstellt; die alten funktionieren nicht mehr.
notice-contact-admin = Wenn Sie das nicht waren, wenden Sie sich sofort an Ihren Administrator.

notice-verify-subject = Bestätigen Sie Ihre E-Mail-Adresse
notice-verify = Um zu bestätigen, dass { $address } die E-Mail-Adresse Ihres Kontos { $username } ist, öffnen Sie diesen Link und drücken Sie die Schaltfläche auf der Seite. Er funktioniert einmal, innerhalb von 24 Stunden:
notice-verify-why = Mit einer bestätigten Adresse können Sie Ihr Konto wiederherstellen, wenn Sie Ihre Passkeys verlieren. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Nichts ändert sich, bis die Schaltfläche gedrückt wird.

notice-what-recover-account = das Konto wiederherzustellen und einen neuen Passkey zu registrieren (alle vorhandenen Passkeys hören auf zu funktionieren)
notice-what-add-passkey = einen Passkey hinzuzufügen
notice-what-remove-passkey = einen Passkey zu entfernen
notice-what-regenerate-codes = neue Wiederherstellungscodes zu erstellen
notice-what-change-email = die E-Mail-Adresse in { $email } zu ändern
notice-what-grant-role = die Rolle { $role } zu vergeben
notice-what-change-tier = die Stufe des Kontos in { $tier } zu ändern
notice-what-weaken-policy = eine Sicherheitsrichtlinie zu lockern
notice-what-enable-account = das Konto wieder zu aktivieren

notice-footer = Anfrage { $request } — { $instance }. Diese Nachricht wurde wegen einer Änderung an Ihrem Konto gesendet; { $instance } fragt nie per E-Mail oder Telefon nach einem Wiederherstellungscode.
notice-requested-subject = Eine Anfrage für Ihr Konto: { $what }
notice-requested = Jemand hat am { $made } für Ihr Konto { $username } beantragt, { $what }.
notice-requested-limits = Die Anfrage kann erst abgeschlossen werden, wenn nach den Identitätsprüfungen ihre Wartezeit vergangen ist, und sie läuft am { $until } ab. Sie können sie auch abbrechen, nachdem Sie sich mit einem Ihrer Passkeys angemeldet haben.
notice-requested-cancel = Wenn Sie das nicht waren, brechen Sie sie jetzt mit diesem Link ab (er funktioniert einmal):
notice-ready-subject = Die Anfrage kann jetzt abgeschlossen werden: { $what }
notice-ready = Die Anfrage für Ihr Konto { $username }, { $what }, hat ihre Prüfungen und Wartezeit bestanden. Sie kann bis { $until } in dem Browser abgeschlossen werden, der sie gestellt hat. Wenn Sie das nicht waren, melden Sie sich mit einem Passkey an und brechen Sie sie ab.
notice-completed-subject = Abgeschlossen: { $what }
notice-completed = Die Anfrage für Ihr Konto { $username }, { $what }, wurde am { $at } abgeschlossen. Wenn Sie das nicht waren, wenden Sie sich sofort an Ihren Administrator.
notice-cancelled-subject = Abgebrochen: { $what }
notice-cancelled = Die Anfrage für Ihr Konto { $username }, { $what }, wurde am { $at } abgebrochen. Nichts wurde geändert.
notice-denied-subject = Abgelehnt: { $what }
notice-denied = Eine genehmigende Person hat am { $at } die Anfrage für Ihr Konto { $username } abgelehnt, { $what }. Nichts wurde geändert.
notice-expired-subject = Abgelaufen: { $what }
notice-expired = Die Anfrage für Ihr Konto { $username }, { $what }, ist am { $at } abgelaufen, ohne abgeschlossen zu werden. Nichts wurde geändert.
notice-locked-subject = Gesperrt: { $what }
notice-locked = Die Anfrage für Ihr Konto { $username }, { $what }, wurde am { $at } nach zu vielen falschen Antworten gesperrt. Nichts wurde geändert. Wenn Sie das nicht waren, versucht vielleicht jemand, Ihr Konto zu übernehmen: Informieren Sie Ihren Administrator.

notice-live-ready-subject = Die Wartezeit ist vorbei: { $what }
notice-live-ready-codes = Die Anfrage für Ihr Konto { $username }, { $what }, hat ihre Wartezeit bestanden. Melden Sie sich an und öffnen Sie Ihre Kontoseite, um die neuen Codes einmal zu sehen, vor { $until }. Wenn Sie das nicht waren, melden Sie sich mit einem Passkey an und brechen Sie sie ab.
notice-live-ready = Die Anfrage für Ihr Konto { $username }, { $what }, hat ihre Wartezeit bestanden und wird jetzt wirksam.
notice-live-cancel = Wenn Sie das nicht waren, hat jemand eine Sitzung in Ihrem Konto: Brechen Sie die Änderung jetzt mit diesem Link ab (er funktioniert einmal), melden Sie sich dann an und melden Sie Ihre anderen Sitzungen ab:
notice-live-added-subject = Ihrem Konto wurde ein neuer Passkey hinzugefügt
notice-live-added = Am { $made } wurde in Ihrem Konto { $username } ein neuer Passkey registriert, aus einer Sitzung, die mit einem Ihrer Passkeys angemeldet ist. Er bleibt bis { $effective } inaktiv und funktioniert dann für die Anmeldung. Ein Abbruch löscht ihn.
notice-live-added-approvals = Am { $made } wurde in Ihrem Konto { $username } ein neuer Passkey registriert, aus einer Sitzung, die mit einem Ihrer Passkeys angemeldet ist. Er bleibt inaktiv bis { $effective } und bis { $n ->
    [one] eine genehmigende Person Ihrer Organisation ihn genehmigt hat
   *[other] { $n } genehmigende Personen Ihrer Organisation ihn genehmigt haben
}, und funktioniert dann für die Anmeldung. Ein Abbruch löscht ihn.
notice-live-requested-subject = Ihr Konto: eine Anfrage, { $what }
notice-live-requested = Eine in Ihrem Konto { $username } angemeldete Sitzung hat am { $made } beantragt, { $what }. Das wird am { $effective } wirksam, sofern Sie es nicht vorher abbrechen.
notice-live-requested-approvals = Eine in Ihrem Konto { $username } angemeldete Sitzung hat am { $made } beantragt, { $what }. Das wird am { $effective } wirksam, sobald { $n ->
    [one] eine genehmigende Person Ihrer Organisation es genehmigt hat
   *[other] { $n } genehmigende Personen Ihrer Organisation es genehmigt haben
}, sofern Sie es nicht vorher abbrechen.

notice-link-subject = Bestätigen Sie die Anfrage für Ihr Konto { $username }
notice-link = Um eine Anfrage ({ $action }) für Ihr Konto { $username } zu bestätigen, öffnen Sie diesen Link in dem Browser, der die Anfrage gestellt hat (er funktioniert einmal, 30 Minuten lang):
notice-link-ignore = Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht und melden Sie sich an, um die Anfrage abzubrechen.
