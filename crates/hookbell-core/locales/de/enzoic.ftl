# enzoic: the German prose (messages move here from enzoic.rs; see docs/providers.md, "Writing a provider's text").
### Enzoic (src/providers/enzoic.rs): breach, identity (PII) and card (BIN) alerts.
### Arguments used by many messages:
###   $user     the monitored account's name, or "none"
###   $found    the day Enzoic found it, or "none"

## Breach alerts. $exposed: plaintext, hash or account; $breach: the breach's name in
## quotation marks, or "none"; $algorithm: the hash algorithm's name when it says something, or "none".
enzoic-breach-in = { $breach ->
    [none] in einem Datenleck
   *[other] im Datenleck { $breach }
}
enzoic-breach-who = { $user ->
    [none] einem überwachten Konto
   *[other] { $user }
}
enzoic-breach-title = { $exposed ->
    [plaintext] Passwort von { enzoic-breach-who } { enzoic-breach-in } offengelegt
    [hash] Passwort-Hash von { enzoic-breach-who } { enzoic-breach-in } offengelegt
   *[account] { $user ->
        [none] Überwachtes Konto
       *[other] { $user }
    } { enzoic-breach-in } gefunden
}
enzoic-breach-found = Enzoic hat{ $found ->
    [none] {""}
   *[other] {" "}am { $found }
} { $exposed ->
    [plaintext] das Klartext-Passwort von { enzoic-breach-who }
    [hash] { $algorithm ->
        [none] den Passwort-Hash von { enzoic-breach-who }
       *[other] den Passwort-Hash ({ $algorithm }) von { enzoic-breach-who }
    }
   *[account] { $user ->
        [none] ein überwachtes Konto
       *[other] { $user }
    }
} { enzoic-breach-in } gefunden.
# $entries: how many records the breach holds; $source: where it comes from, or "none".
enzoic-breach-records = { $source ->
    [none] Es umfasst { $entries } { $entries ->
        [one] Eintrag
       *[other] Einträge
    }
   *[other] Es umfasst { $entries } { $entries ->
        [one] Eintrag
       *[other] Einträge
    } aus der Quelle „{ $source }“
}
# $source: where the breach comes from.
enzoic-breach-source = Es stammt aus der Quelle „{ $source }“
# $facts: one of the two above, or "none"; $data: the kinds of data exposed, as Enzoic names them.
enzoic-breach-data = { $facts ->
    [none] Offengelegte Daten: { $data }
   *[other] { $facts }; offengelegte Daten: { $data }
}
# $head: enzoic-breach-found; $facts: one of the three above, or "none".
enzoic-breach-summary = { $head }{ $facts ->
    [none] {""}
   *[other] {" "}{ $facts }.
}

## Breach recommendations.
enzoic-of-user = { $user ->
    [none] {""}
   *[other] {" "}von { $user }
}
enzoic-advice-plaintext = Das Passwort liegt im Klartext vor, jeder kann sich damit anmelden: Ändere das Passwort{ enzoic-of-user } sofort, ersetze es bei allen anderen Diensten, bei denen du dasselbe oder ein ähnliches verwendet hast, und aktiviere die Zwei-Faktor-Authentifizierung.
# $slow: "yes" when the algorithm is built to be slow to crack, else "no".
enzoic-advice-hash = { $algorithm ->
    [none] Das Passwort wurde als Hash offengelegt, den Angreifer offline zu knacken versuchen können
   *[other] { $slow ->
        [yes] Das Passwort wurde als Hash ({ $algorithm }) offengelegt. { $algorithm } bremst das Knacken offline, aber schwache Passwörter fallen trotzdem
       *[no] Das Passwort wurde als Hash ({ $algorithm }) offengelegt, den Angreifer offline schnell knacken, gängige Passwörter in Minuten
    }
}: Ändere das Passwort{ enzoic-of-user } und überall, wo es wiederverwendet wurde, und aktiviere die Zwei-Faktor-Authentifizierung.
enzoic-advice-passwords-in-breach = Das Datenleck enthält auch Passwörter: Ändere das Passwort{ enzoic-of-user } beim betroffenen Dienst und überall, wo es wiederverwendet wurde, und aktiviere die Zwei-Faktor-Authentifizierung.
enzoic-advice-account = Sei vorsichtig bei Phishing-Nachrichten{ $breach ->
    [none] {""}
   *[other] , die sich auf { $breach } beziehen
}. Wenn du beim betroffenen Dienst ein Konto hattest, ändere dessen Passwort und aktiviere die Zwei-Faktor-Authentifizierung.

## Identity (PII) alerts: kinds of personal data.
enzoic-kind-credit-card = Kreditkarte
enzoic-kind-card-number = Kartennummer
enzoic-kind-government-id = Ausweisnummer
enzoic-kind-crypto-wallet = Krypto-Wallet
enzoic-kind-email = E-Mail-Adresse
enzoic-kind-phone = Telefonnummer
enzoic-kind-address = Adresse
enzoic-kind-city = Ort
enzoic-kind-postal-code = Postleitzahl
enzoic-kind-province = Bundesland/Provinz
enzoic-kind-first-name = Vorname
enzoic-kind-last-name = Nachname
enzoic-kind-date-of-birth = Geburtsdatum
enzoic-kind-other = weitere Daten

# $who: whom the data belongs to, or "none"; $what: the first two kinds, or "none";
# $more: how many kinds are not named.
enzoic-pii-title = { $what ->
    [none] { $who ->
        [none] Identitätsdaten in einem Leak gefunden
       *[other] Identitätsdaten von { $who } in einem Leak gefunden
    }
   *[other] { $who ->
        [none] Identitätsdaten offengelegt: { $what }
       *[other] Identitätsdaten von { $who } offengelegt: { $what }
    }{ $more ->
        [0] {""}
       *[other] {" "}+{ $more } weitere
    }
}
# $count: how many items matched; $who: whom they belong to, or "none"; $list: up to six
# kinds; $more: how many kinds are not named.
enzoic-pii-summary = { $count ->
    [0] Enzoic hat{ $found ->
        [none] {""}
       *[other] {" "}am { $found }
    } eine Offenlegung von Identitätsdaten{ $who ->
        [none] {""}
       *[other] {" "}von { $who }
    } gemeldet, ohne Angaben dazu, was übereinstimmt.
   *[other] Enzoic hat{ $found ->
        [none] {""}
       *[other] {" "}am { $found }
    } { $count } überwachte { $count ->
        [one] Angabe
       *[other] Angaben
    }{ $who ->
        [none] {""}
       *[other] {" "}von { $who }
    } in neu gefundenen Daten entdeckt: { $list }{ $more ->
        [0] {""}
       *[other] {" "}und { $more } weitere
    }.
}
# $count: how many cards; $cards: their masked numbers.
enzoic-advice-cards = Lass { $count ->
    [one] die Karte
   *[other] die Karten
} { $cards } bei deiner Bank sperren und ersetzen, und prüfe die letzten Abrechnungen auf unbekannte Buchungen.
# $country: the issuing country, or "none".
enzoic-advice-government-id = Deine Ausweisnummer{ $country ->
    [none] {""}
   *[other] {" "}({ $country })
} ist offengelegt: Achte auf Identitätsmissbrauch, erwäge eine Sperre bei Auskunfteien und melde Missbrauch der ausstellenden Behörde.
enzoic-advice-crypto-wallet = Deine Krypto-Wallet-Adresse ist nun mit deiner Identität verknüpft: Rechne mit gezielten Betrugsversuchen und erwäge, Guthaben auf eine neue Adresse zu übertragen.
enzoic-advice-phishing = Rechne mit Phishing-Mails, Anrufen oder SMS, die diese Angaben nutzen, und vertraue keiner Nachricht, nur weil sie sie kennt.
enzoic-advice-pii = Deine persönlichen Daten wurden in einem Leak gefunden: Sei vorsichtig bei Kontaktaufnahmen, die sie nutzen, und achte auf Missbrauch deiner Identität.

## Card (BIN) alerts. $bin: the monitored BIN, or "none"; $card: the masked card number, or "none".
enzoic-bin-title = { $bin ->
    [none] Karte aus überwachter BIN offengelegt
   *[other] { $card ->
        [none] Karte mit überwachter BIN { $bin } offengelegt
       *[other] Karte mit überwachter BIN { $bin } offengelegt ({ $card })
    }
}
enzoic-bin-summary = Enzoic hat{ $found ->
    [none] {""}
   *[other] {" "}am { $found }
} { $card ->
    [none] eine Kartennummer
   *[other] die Kartennummer { $card }
} aus { $bin ->
    [none] einer deiner überwachten BINs
   *[other] deiner überwachten BIN { $bin }
} in offengelegten Daten gefunden.
enzoic-bin-advice = Sperre die Karte{ $card ->
    [none] {""}
   *[other] {" "}{ $card }
} und gib sie neu aus, überwache sie auf betrügerische Transaktionen und prüfe, ob weitere Karten dieser BIN aus derselben Quelle betroffen sind.
