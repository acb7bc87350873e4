### omniac (src/providers/omniac.rs): Daten von dir in einem Datenleck oder im öffentlichen Netz.
### Argumente vieler Nachrichten:
###   $kind     was geleakt ist: password, credit_card, iban, bank_account, passport, nid,
###             driver_license, email, username, network_ip, domain, other; jeder andere Wert ist
###             ein Name, den omniac neu eingeführt hat, dann ist $name dieser Name in Worten
###   $surface  "yes" im öffentlichen Netz gefunden, "no" in einem Datenleck
###   $name     der Name des Datenlecks oder "none"
###   $spaced   "yes", wenn der Name des Datenlecks Leerzeichen enthält, sonst "no"

## Was geleakt ist, als Bezeichnung. $kind, $name: siehe oben.
omniac-kind = { $kind ->
    [password] Passwort
    [credit_card] Kreditkartennummer
    [iban] IBAN
    [bank_account] Kontonummer
    [passport] Reisepassnummer
    [nid] Personalausweisnummer
    [driver_license] Führerscheinnummer
    [email] E-Mail-Adresse
    [username] Benutzername
    [network_ip] IP-Adresse
    [domain] Domain
    [other] Sonstige Daten
   *[unknown] { CAPITALIZE($name) }
}
## Was geleakt ist, im Satz (im Deutschen wie die Bezeichnung). $kind, $name: siehe oben.
omniac-kind-in-sentence = { omniac-kind }

# Das Datenleck mit Namen. $name, $spaced: siehe oben.
omniac-leak = { $spaced ->
    [yes] Datenleck bei { $name }
   *[no] { $name }-Datenleck
}

## Titel: was (und wessen) geleakt ist, dann wo; auf 100 Zeichen gekürzt.
omniac-plaintext-password = Klartext-Passwort
omniac-your-data = Deine Daten
# $what: eins der drei obigen; $who: die maskierte Identität oder "none";
# $identity: "yes", wenn $what selbst die Identität ist ("E-Mail-Adresse t***@x.com").
omniac-whose = { $who ->
    [none] { $what }
   *[other] { $identity ->
        [yes] { $what } { $who }
       *[no] { $what } von { $who }
    }
}
# $whose: das obige; $surface, $name (auf 40 Zeichen gekürzt), $spaced.
omniac-title = { $surface ->
    [yes] { $name ->
        [none] { $whose } im öffentlichen Netz gefunden
       *[other] { $whose } im öffentlichen Netz gefunden ({ $name })
    }
   *[no] { $name ->
        [none] { $whose } in einem Datenleck veröffentlicht
       *[other] { $whose } im { omniac-leak } veröffentlicht
    }
}

## Zusammenfassung: was wo gefunden wurde, dann wann, die Kategorie und die Gefährdung.
# Wo es gefunden wurde. $surface, $name, $spaced.
omniac-place = { $surface ->
    [yes] { $name ->
        [none] im öffentlichen Netz
       *[other] im öffentlichen Netz ({ $name })
    }
   *[no] { $name ->
        [none] in einem Datenleck
       *[other] im { omniac-leak }
    }
}
# Eins der gefundenen Dinge. $kind, $name (siehe oben); $plaintext: "yes" für ein Passwort im Klartext.
omniac-found-kind = { $plaintext ->
    [yes] { omniac-kind-in-sentence } (im Klartext)
   *[no] { omniac-kind-in-sentence }
}
# Die Gefährdung. $score: verylow, low, medium, high, veryhigh oder der Wert, wie omniac ihn schreibt.
omniac-score = { $score ->
    [verylow] sehr niedrig
    [low] niedrig
    [medium] mittel
    [high] hoch
    [veryhigh] sehr hoch
   *[other] { $score }
}
# $found: die gefundenen Dinge als Aufzählung oder "none", wenn omniac nicht auflösen konnte,
# welche; $surface, $name, $spaced: wo.
omniac-summary-what = { $found ->
    [none] omniac hat Daten von dir { omniac-place } gefunden, konnte aber nicht auflösen, welche.
   *[other] omniac hat deine Daten { omniac-place } gefunden: { $found }.
}
# $category: die Kategorie des Datenlecks oder "none"; $score: siehe omniac-score, oder "none".
omniac-summary-facts = { $category ->
    [none] Gefährdung: { omniac-score }
   *[other] { $score ->
        [none] Kategorie: { $category }
       *[other] Kategorie: { $category }; Gefährdung: { omniac-score }
    }
}
# $published: der Tag der Veröffentlichung oder "none"; $category, $score: wie oben.
omniac-summary-when = { $published ->
    [none] { $category ->
        [none] { $score ->
            [none] {""}
           *[other] {" "}{ omniac-summary-facts }.
        }
       *[other] {" "}{ omniac-summary-facts }.
    }
   *[other] { $category ->
        [none] { $score ->
            [none] {" "}Veröffentlicht am { $published }.
           *[other] {" "}Veröffentlicht am { $published } ({ omniac-summary-facts }).
        }
       *[other] {" "}Veröffentlicht am { $published } ({ omniac-summary-facts }).
    }
}
# Die ganze Zusammenfassung: die Argumente der beiden obigen Nachrichten.
omniac-summary = { omniac-summary-what }{ omniac-summary-when }

## In omniacs eigenen (deutschen) Text eingesetzt, wenn Datum oder Name fehlen.
omniac-unknown-date = (unbekanntes Datum)
omniac-unknown-name = (unbekannt)

## Empfehlung, wenn omniac keine schickt: diese Sätze nacheinander.
# $who: die maskierte Identität oder "none"; $plaintext: "yes", wenn es im Klartext geleakt ist.
omniac-advice-password = { $plaintext ->
    [yes] Dein Passwort ist im Klartext geleakt: Ändere es sofort { $who ->
        [none] für das betroffene Konto
       *[other] für { $who }
    } und bei allen Diensten, bei denen du das gleiche oder ein ähnliches Passwort verwendest, und aktiviere die Zwei-Faktor-Authentifizierung.
   *[no] Ändere dein Passwort { $who ->
        [none] für das betroffene Konto
       *[other] für { $who }
    } und bei allen Diensten, bei denen du das gleiche oder ein ähnliches Passwort verwendest, und aktiviere die Zwei-Faktor-Authentifizierung.
}
# $card: die maskierte Kartennummer.
omniac-advice-card = Lass die Karte { $card } bei deiner Bank sperren und neu ausstellen, und prüfe deine Abrechnungen auf Zahlungen, die du nicht kennst.
# $account: die maskierte IBAN oder Kontonummer.
omniac-advice-bank = Prüfe die Umsätze des Kontos { $account } auf Lastschriften, die du nicht erteilt hast, lass sie von deiner Bank zurückbuchen und informiere deine Bank über das Datenleck.
# $documents: die Ausweisdokumente als Aufzählung ("Reisepassnummer und Personalausweisnummer").
omniac-advice-documents = Deine Ausweisdaten sind geleakt ({ $documents }): Achte auf Identitätsdiebstahl, etwa Konten oder Verträge in deinem Namen, zeige den Vorfall bei der Polizei an und erwäge, das Dokument neu ausstellen zu lassen.
# $service: der Name des Datenlecks oder "none".
omniac-advice-surface = { $service ->
    [none] Finde heraus, wo die Daten veröffentlicht wurden, und verlange, dass sie entfernt werden.
   *[other] Bitte den Betreiber von { $service }, die veröffentlichten Daten zu entfernen.
}
# $service: der Name des Datenlecks oder "none".
omniac-advice-account = Falls du ein Konto { $service ->
    [none] beim betroffenen Dienst
   *[other] bei { $service }
} hast, ändere dort das Passwort und überall, wo du das gleiche oder ein ähnliches verwendest, und aktiviere die Zwei-Faktor-Authentifizierung.
omniac-advice-phishing = Rechne mit Phishing-Mails, die mit den geleakten Daten echt wirken sollen.
omniac-advice-look-up = Sieh in omniac nach, welche deiner Daten betroffen sind.
