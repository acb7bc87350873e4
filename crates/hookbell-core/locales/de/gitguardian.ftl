### GitGuardian (src/providers/gitguardian.rs): Secret-Vorfälle, Honeytoken-Ereignisse und der
### Knopf "send test message". Argumente vieler Meldungen:
###   $detector  der Name des Detektors ("Slack Bot Token"), oder "none"
###   $place     das Repository oder die Quelle, in der das Secret gefunden wurde, oder "none"

## Secret-Vorfälle.
# Das Secret am Anfang eines Titels.
gitguardian-what = { $detector ->
    [none] Ein Secret
   *[other] Secret vom Typ { $detector }
}
# Das Secret im Satz.
gitguardian-the-secret = { $detector ->
    [none] das Secret
   *[other] das Secret vom Typ { $detector }
}

## Titel, nach dem, was mit dem Vorfall geschah. $what: gitguardian-what.
gitguardian-title-exposed = { $place ->
    [none] { $what } offengelegt
   *[other] { $what } offengelegt in { $place }
}
gitguardian-title-regression = { $place ->
    [none] { $what } erneut offengelegt
   *[other] { $what } erneut offengelegt in { $place }
}
gitguardian-title-resolved = { $place ->
    [none] Behoben: { $what }
   *[other] Behoben: { $what } in { $place }
}
gitguardian-title-ignored = { $place ->
    [none] Ignoriert: { $what }
   *[other] Ignoriert: { $what } in { $place }
}
gitguardian-title-reopened = { $place ->
    [none] Wieder geöffnet: { $what }
   *[other] Wieder geöffnet: { $what } in { $place }
}

## Zusammenfassung: Fakten, mit ", " verbunden, dann ein Punkt.
# $id: die ID des Vorfalls; $severity: GitGuardians Schweregrad wie gesendet, oder "none".
gitguardian-summary-incident = GitGuardian-Vorfall #{ $id } (Schweregrad { $severity ->
        [critical] kritisch
        [high] hoch
        [medium] mittel
        [low] niedrig
        [info] Info
       *[other] unbekannt
    })
# $validity: GitGuardians Gültigkeit wie gesendet.
gitguardian-summary-validity = { $validity ->
    [valid] noch gültig
    [invalid] nicht mehr gültig
    [failed_to_check] Gültigkeit nicht prüfbar
    [no_checker] Gültigkeit nicht geprüft
   *[other] Gültigkeit unbekannt
}
# $count: wie viele Fundstellen.
gitguardian-summary-occurrences = { $count ->
    [one] { $count } Fundstelle
   *[other] { $count } Fundstellen
}
# $files: bis zu drei Dateipfade.
gitguardian-summary-files = in { $files }
# $status: der Status des Vorfalls wie gesendet (TRIGGERED, ASSIGNED, …).
gitguardian-summary-status = Status { $status }
# $who: die E-Mail-Adresse der zugewiesenen Person.
gitguardian-summary-assignee = zugewiesen an { $who }
# $facts: die Fakten oben.
gitguardian-summary = { $facts }.

## Empfehlung. $secret: gitguardian-the-secret.
gitguardian-advice-revoked = Nichts mehr zu tun: GitGuardian meldet den Vorfall als behoben und das Secret als widerrufen.
gitguardian-advice-resolved = GitGuardian meldet den Vorfall als behoben. Falls { $secret } nicht beim Aussteller widerrufen wurde, widerrufe es jetzt: ein behobener Vorfall macht ein offengelegtes Secret nicht sicher.
# $reason: GitGuardians Grund in Worten ("test credential"), oder "none".
gitguardian-advice-ignored = GitGuardian markiert den Vorfall als ignoriert{ $reason ->
        [none] {""}
       *[other] {" "}({ $reason })
    }. Prüfe das: ein ignoriertes Secret, das noch funktioniert, ist weiterhin offengelegt.
# $file: die erste Datei, in der es gefunden wurde, oder "none".
gitguardian-advice-revoke = Widerrufe { $secret }{ $place ->
        [none] { $file ->
            [none] {""}
           *[other] , gefunden in { $file },
        }
       *[other] { $file ->
            [none] , gefunden in { $place },
           *[other] , gefunden in { $place } ({ $file }),
        }
    } beim Aussteller und ersetze es überall, wo es benutzt wird; die Datei oder den Commit zu löschen genügt nicht, das Secret bleibt in der Historie. Schließe danach den Vorfall in GitGuardian.

## Honeytokens. $name: der Name des Honeytokens in Anführungszeichen.
# $ip: die IP-Adresse des Aufrufers, oder "none".
gitguardian-honeytoken-title = { $ip ->
    [none] Honeytoken { $name } ausgelöst
   *[other] Honeytoken { $name } von { $ip } benutzt
}
# $kind: der Typ des Honeytokens ("AWS"), oder "none"; $dated: "yes" mit $day (dem Tag), oder
# "no"; $facts: die Fakten des Ereignisses unten, mit ", " verbunden, oder "none".
gitguardian-honeytoken-summary = Jemand hat das { $kind ->
        [none] {""}
       *[other] { $kind }-
    }Honeytoken { $name }{ $dated ->
        [yes] {" "}am { $day }
       *[no] {""}
    } benutzt{ $facts ->
        [none] {""}
       *[other] : { $facts }
    }.
gitguardian-honeytoken-from = von { $ip }
# $agent: der User-Agent in Anführungszeichen.
gitguardian-honeytoken-agent = mit User-Agent { $agent }
# $calls: die Aufrufe, bis zu fünf.
gitguardian-honeytoken-calls = Aufrufe: { $calls }
# $count: wie viele Ereignisse dieses Honeytokens offen sind (mehr als eins).
gitguardian-honeytoken-open-events = { $count ->
    [one] { $count } offenes Ereignis zu diesem Honeytoken.
   *[other] { $count } offene Ereignisse zu diesem Honeytoken.
}
# $description: die Beschreibung des Honeytokens in Anführungszeichen, oder "none".
gitguardian-honeytoken-advice = Ein Honeytoken benutzt niemand rechtmäßig: wer es benutzt hat, hat es dort gelesen, wo du es ausgelegt hast{ $description ->
        [none] {""}
       *[other] {" "}(Beschreibung: { $description })
    }. Behandle diesen Ort (Repository, Rechner, CI-Job) als kompromittiert: kläre, wer Zugriff hatte, tausche die echten Zugangsdaten daneben aus und suche die IP-Adresse des Aufrufers in deinen Logs. Schließe danach das Ereignis in GitGuardian.

## Der Knopf "send test message".
gitguardian-test-title = GitGuardian-Webhook verbunden (Testnachricht)
gitguardian-test-summary = Die Testnachricht von GitGuardian ist angekommen: Vorfälle und Honeytoken-Ereignisse an diese Quelle kommen hier an.
gitguardian-test-advice = Nichts zu tun. Du kannst diese Meldung als erledigt markieren.
