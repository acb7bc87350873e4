### Osintly (src/providers/osintly.rs): eine Suche, die einen Endstatus erreicht hat, und was sie
### gefunden hat. Argumente vieler Meldungen:
###   $count   eine Zahl
###   $target  der gesuchte Wert (eine E-Mail-Adresse, ein Benutzername, …), oder "none"

## Was eine Suche gefunden hat, gezählt.
osintly-breached-accounts = { $count ->
    [one] { $count } kompromittiertes Konto
   *[other] { $count } kompromittierte Konten
}
osintly-data-leaks = { $count ->
    [one] { $count } Datenleck
   *[other] { $count } Datenlecks
}
osintly-registered-accounts = { $count ->
    [one] { $count } registriertes Konto
   *[other] { $count } registrierte Konten
}
osintly-result-cards = { $count ->
    [one] { $count } Ergebniskarte
   *[other] { $count } Ergebniskarten
}

## Titel (auf 100 Zeichen gekürzt, indem $target gekürzt wird).
# $found: kompromittierte Konten und/oder Datenlecks, gezählt (oben).
osintly-title-found = { $target ->
    [none] Osintly hat { $found } gefunden
   *[other] Osintly hat { $found } für { $target } gefunden
}
# Nur registrierte Konten oder Ergebniskarten.
osintly-title-clean = { $target ->
    [none] Osintly hat keine kompromittierten Konten oder Datenlecks gefunden
   *[other] Osintly hat für { $target } keine kompromittierten Konten oder Datenlecks gefunden
}
osintly-title-nothing = { $target ->
    [none] Osintly-Suche ergab keine Treffer
   *[other] Osintly-Suche nach { $target } ergab keine Treffer
}
osintly-title-failed = { $target ->
    [none] Osintly-Suche fehlgeschlagen
   *[other] Osintly-Suche nach { $target } fehlgeschlagen
}
# $status: der Status wie gesendet, in Anführungszeichen.
osintly-title-other = { $target ->
    [none] Osintly-Suche endete mit Status { $status }
   *[other] Osintly-Suche nach { $target } endete mit Status { $status }
}

## Zusammenfassung.
# Die Suche als Subjekt eines Satzes. $kind: was gesucht wurde ("Email Address"), oder "none".
osintly-the-search = Die Osintly-Suche{ $target ->
        [none] {""}
       *[other] {" "}nach { $target }
    }{ $kind ->
        [none] {""}
       *[other] {" "}({ $kind })
    }
# $search: das obige.
osintly-summary-nothing = { $search } ist abgeschlossen und ergab keine Treffer: keine kompromittierten Konten, Datenlecks, registrierten Konten oder Ergebniskarten.
# $totals: jede Art von Ergebnis, gezählt (oben), als Liste.
osintly-summary-finished = { $search } ist abgeschlossen: { $totals }.
# $count: wie viele Passwörter und andere Geheimnisse Hookbell maskiert hat.
osintly-summary-secrets = Die Ergebnisse enthalten { $count ->
        [one] { $count } Passwort oder anderes Geheimnis
       *[other] { $count } Passwörter oder andere Geheimnisse
    }; Hookbell speichert sie nur maskiert.
osintly-summary-error = { $search } endete mit einem Fehler.
osintly-summary-failed = { $search } ist fehlgeschlagen.
# $status: der Status wie gesendet, in Anführungszeichen.
osintly-summary-other = { $search } endete mit dem unerwarteten Status { $status }; Hookbell behandelt sie wie eine fehlgeschlagene Suche.
# Nach einem Fehlschlag: was die Suche trotzdem geliefert hat.
osintly-summary-no-results = Sie lieferte keine Ergebnisse.
osintly-summary-received = Erhaltene Ergebnisse: { $totals }.

## Empfehlung.
osintly-advice-retry = { $target ->
    [none] Starte die Suche in Osintly erneut; schlägt sie wieder fehl, prüfe die Suchoptionen oder wende dich an den Osintly-Support.
   *[other] Starte die Suche nach { $target } in Osintly erneut; schlägt sie wieder fehl, prüfe die Suchoptionen oder wende dich an den Osintly-Support.
}
# $services: die betroffenen Dienste, aufgezählt, oder "none".
osintly-advice-breach = Ändere die Passwörter der{ $target ->
        [none] {""}
       *[other] {" "}für { $target }
    } gefundenen kompromittierten Konten überall, wo du sie verwendet hast, und aktiviere die Zwei-Faktor-Authentisierung; { $services ->
        [none] prüfe die unten aufgeführten Dienste.
       *[other] prüfe diese Dienste: { $services }.
    }
# $sources: die Quellen der Leaks, aufgezählt, oder "none".
osintly-advice-leak = { $target ->
        [none] Prüfe, was geleakt wurde
       *[other] Prüfe, was über { $target } geleakt wurde
    } { $sources ->
        [none] (siehe Details unten)
       *[other] (Quellen: { $sources })
    }, und ändere Passwörter, Sicherheitsfragen und andere Zugangsdaten, die darin vorkommen.
osintly-advice-cleartext = Die Ergebnisse enthalten Passwörter im Klartext: betrachte sie als Angreifern bekannt.
osintly-advice-nothing = { $target ->
    [none] Es wurde nichts gefunden; es ist nichts zu tun.
   *[other] Es wurde für { $target } nichts gefunden; es ist nichts zu tun.
}
# $count: wie viele registrierte Konten gefunden wurden.
osintly-advice-registered = Es wurden{ $target ->
        [none] {""}
       *[other] {" "}für { $target }
    } keine kompromittierten Konten oder Datenlecks gefunden; es ist nichts zu tun. { $count ->
        [one] Prüfe bei Gelegenheit das registrierte Konto und schließe es, wenn du es nicht mehr nutzt.
       *[other] Prüfe bei Gelegenheit die { $count } registrierten Konten und schließe die, die du nicht mehr nutzt.
    }
