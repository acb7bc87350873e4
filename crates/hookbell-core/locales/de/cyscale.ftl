### Cyscale (src/providers/cyscale.rs): eine Kontrolle, die eine Ressource oder ein Cloud-Konto
### nicht erfüllt, und unterschrittene Compliance-Schwellen. Argumente vieler Meldungen:
###   $provider  die Cloud ("GCP", "AWS", …) oder "none"
###   $account   der Name des Cloud-Kontos in Anführungszeichen, oder seine ID
###   $kind      der Typ der Ressource in Worten ("firewall rule", "IAM user") oder "none"
###   $asset     der Name der Ressource (in Anführungszeichen, wenn er Leerzeichen enthält)
###   $control   der Name der Kontrolle in Anführungszeichen, oder "none"
###   $resolved  "yes" oder "no"

## Ein Cloud-Konto im Satz.
cyscale-account = { $provider ->
    [none] Cloud-Konto { $account }
   *[other] { $provider }-Konto { $account }
}

## Titel: was nicht konform ist, dann ": " und der Name der Kontrolle, gekürzt auf 100 Zeichen.
## Hier stehen $asset und $account nur in Anführungszeichen, wenn sie Leerzeichen enthalten.
cyscale-title-asset = { $kind ->
    [none] Asset { $asset }
   *[other] { CAPITALIZE_WORDS($kind) } { $asset }
}
cyscale-title-account = { cyscale-account }
# $target: eins der beiden oben, oder "none".
cyscale-title-head = { $resolved ->
    [yes] { $target ->
        [none] Behoben
       *[other] Behoben: { $target }
    }
   *[no] { $target ->
        [none] Kontrolle nicht erfüllt
       *[other] { $target } nicht konform
    }
}
# $head: das obige; $name: der Name der Kontrolle.
cyscale-title = { $head }: { $name }
# Ohne Namen der Kontrolle. $subject: Name oder ID der Ressource oder des Kontos, oder "none".
cyscale-title-unnamed = { $resolved ->
    [yes] Behoben: { $subject ->
        [none] Cyscale-Alarm
       *[other] Cyscale-Alarm für { $subject }
    }
   *[no] { $subject ->
        [none] Cyscale-Alarm
       *[other] Cyscale-Alarm für { $subject }
    }
}

## Zusammenfassung: was welche Kontrolle nicht erfüllt, dann wann Cyscale alarmiert hat.
cyscale-who-asset = { $kind ->
    [none] Die Ressource { $asset }
   *[other] Die Ressource { $asset } ({ CAPITALIZE_WORDS($kind) })
}
cyscale-who-asset-in-account = { cyscale-who-asset } im { cyscale-account }
cyscale-who-account = Das { cyscale-account }
cyscale-who-unknown = Eine Cloud-Ressource
# $who: eins der vier oben.
cyscale-summary-fails = { $who } { $resolved ->
        [yes] erfüllte
       *[no] erfüllt
    } { $control ->
        [none] eine Cyscale-Kontrolle nicht.
       *[other] die Kontrolle { $control } nicht.
    }
# $severity: siehe `severity` in common.ftl; $created: ein date-time.
cyscale-summary-raised = Cyscale hat den Alarm am { $created } ausgelöst (Schweregrad { severity }).
cyscale-summary-severity = Schweregrad: { severity }.
# $resolved-at: ein date-time.
cyscale-summary-resolved-at = Behoben am { $resolved-at }.
cyscale-summary-resolved = Inzwischen ist der Alarm behoben.

## Empfehlung, Satz für Satz.
cyscale-advice-resolved = Cyscale meldet diesen Befund als behoben, es gibt also nichts mehr zu tun: prüfe, ob die Änderung gewollt war und die Kontrolle weiter erfüllt bleibt.
cyscale-advice-critical = Ein kritischer Befund: behebe ihn sofort.
cyscale-advice-high = Ein Befund mit hohem Schweregrad: behebe ihn noch heute.
cyscale-advice-open = { $control ->
    [none] Öffne in Cyscale den Alarm
   *[other] Öffne in Cyscale die Kontrolle { $control }
}
cyscale-advice-asset = { cyscale-advice-open } und prüfe, warum die Ressource { $asset } { $control ->
        [none] die Kontrolle
       *[other] sie
    } nicht erfüllt; ändere dann die Konfiguration von { $asset } so, dass sie die Kontrolle erfüllt, oder entferne die Ressource, wenn sie nicht mehr gebraucht wird.
cyscale-advice-asset-in-account = { cyscale-advice-open } und prüfe, warum die Ressource { $asset } im { cyscale-account } { $control ->
        [none] die Kontrolle
       *[other] sie
    } nicht erfüllt; ändere dann die Konfiguration von { $asset } so, dass sie die Kontrolle erfüllt, oder entferne die Ressource, wenn sie nicht mehr gebraucht wird.
cyscale-advice-account = { cyscale-advice-open } für das { cyscale-account }: sie prüft Einstellungen des Kontos selbst; ändere diese so, wie die Kontrolle es beschreibt.
cyscale-advice-no-account = { cyscale-advice-open }: sie prüft Einstellungen des Kontos selbst; ändere diese so, wie die Kontrolle es beschreibt.
# Ein Tipp, gewählt nach dem Wortlaut der Kontrolle.
cyscale-hint-network = Erlaube Verkehr nur von den Quelladressen und auf den Ports, die ihn wirklich brauchen; RDP (3389) und SSH (22) dürfen nie für das ganze Internet offen sein.
cyscale-hint-public = Entferne öffentlichen oder anonymen Zugriff, sofern er nicht gewollt ist, und gib nur den Identitäten Zugriff, die ihn brauchen.
cyscale-hint-mfa = Schalte die Mehr-Faktor-Authentisierung für alle betroffenen Konten ein.
cyscale-hint-encryption = Schalte die Verschlüsselung ruhender Daten ein, mit einem selbst verwalteten Schlüssel, wo die Kontrolle das verlangt.
cyscale-hint-logging = Schalte das verlangte Logging, den Metrikfilter oder die Alarmierung ein, damit solche Änderungen aufgezeichnet werden und jemand davon erfährt.
cyscale-hint-credentials = Tausche die betroffenen Schlüssel oder Zugangsdaten aus und lösche die nicht mehr genutzten.
cyscale-hint-tls = Verlange für jede Verbindung TLS (HTTPS) mit einer aktuellen Protokollversion.
cyscale-hint-backup = Schalte die verlangten Backups, die Versionierung oder die Aufbewahrung ein.
cyscale-hint-privilege = Setze minimale Rechte durch: entferne Administratorrechte, die nicht gebraucht werden.
cyscale-advice-closing = Cyscale schließt den Alarm, sobald der nächste Scan die Kontrolle erfüllt findet; ist die Abweichung gewollt, lege stattdessen in Cyscale eine Ausnahme an.

## Unterschrittene Compliance-Schwellen. $policies, $standards: wie viele davon aufgeführt
## sind; $count: beide zusammen; $threshold: die Schwelle in Prozent, oder "none".
cyscale-policies = { $policies ->
    [one] { $policies } Richtlinie
   *[other] { $policies } Richtlinien
}
cyscale-standards = { $standards ->
    [one] { $standards } Standard
   *[other] { $standards } Standards
}
cyscale-counted = { $standards ->
    [0] { cyscale-policies }
   *[other] { $policies ->
        [0] { cyscale-standards }
       *[other] { cyscale-policies } und { cyscale-standards }
    }
}
cyscale-below-threshold = unter der { $threshold ->
    [none] Compliance-Schwelle
   *[other] Compliance-Schwelle von { $threshold } %
}
cyscale-compliance-title = { cyscale-counted } { cyscale-below-threshold }
cyscale-compliance-title-empty = Compliance-Schwelle unterschritten (keine Richtlinien aufgeführt)
# $lowest: der Name der Richtlinie mit dem niedrigsten Wert, oder "none"; $lowest-score: ihr Wert
# in Prozent; $skipped: wie viele Cyscale übersprungen hat (0 für keine).
cyscale-compliance-summary = { cyscale-counted } { $count ->
        [one] liegt
       *[other] liegen
    } { cyscale-below-threshold }{ $lowest ->
        [none] {""}
       *[other] { $count ->
            [one] {" "}mit { $lowest-score } %
           *[other] , am niedrigsten { $lowest } mit { $lowest-score } %
        }
    }{ $skipped ->
        [0] .
       *[other] {" "}(weitere { $skipped } hat Cyscale übersprungen).
    }
cyscale-compliance-summary-empty = Cyscale meldet eine unterschrittene Compliance-Schwelle, führt aber keine Richtlinien auf{ $skipped ->
        [0] .
       *[other] {" "}({ $skipped } hat Cyscale übersprungen).
    }
# $name: der Name der Richtlinie; $before, $now: ihr voriger und jetziger Wert in Prozent.
cyscale-compliance-fell-most = Am stärksten gefallen ist { $name }, von { $before } % auf { $now } %.
cyscale-compliance-change = { $name } ({ $before } % → { $now } %)
# $score: der jetzige Wert in Prozent.
cyscale-compliance-score = { $name } ({ $score } %)
# $list: die Richtlinien oben, als Aufzählung.
cyscale-compliance-advice-fallen = Beginne mit dem, was am stärksten gefallen ist: { $list }.
cyscale-compliance-advice-lowest = Beginne mit den niedrigsten Werten: { $list }.
# $count: wie viele Richtlinien die Empfehlung nennt (1 oder mehr).
cyscale-compliance-advice-open = { $count ->
    [one] Öffne den Eintrag in Cyscale, behebe zuerst die fehlschlagenden Kontrollen mit den meisten betroffenen Assets und prüfe, was sich seit der letzten Bewertung geändert hat (neue Assets, geänderte Konfigurationen).
   *[other] Öffne sie in Cyscale, behebe zuerst die fehlschlagenden Kontrollen mit den meisten betroffenen Assets und prüfe, was sich seit der letzten Bewertung geändert hat (neue Assets, geänderte Konfigurationen).
}
cyscale-compliance-advice-raise = { $count ->
    [one] Hebe außerdem { $list } an: der Wert liegt unter der Hälfte der Schwelle.
   *[other] Hebe außerdem { $list } an: ihre Werte liegen unter der Hälfte der Schwelle.
}
cyscale-compliance-advice-empty = Öffne die Compliance-Übersicht in Cyscale, um zu sehen, welche Richtlinien und Standards unter der Schwelle liegen: dieser Bericht nennt keine.
# Das Subjekt: bis zu drei Namen ($names) und wie viele weitere es gibt ($more).
cyscale-subject-more = { $names } +{ $more } weitere
