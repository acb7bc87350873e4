### Canarytokens (src/providers/canarytokens.rs): ein ausgelöstes Token und ein öffentlich
### gefundenes Token (die Testnachricht beim Speichern einer Webhook-URL wird ohne Meldung
### angenommen). Häufige Argumente:
###   $memo   die Notiz zum Token (gekürzt) in Anführungszeichen oder "none"
###   $when   "none" oder wann es geschah: canarytokens-when

## Der Typ des Tokens in Worten. $type: token_type von Canarytokens ("aws_keys"); $raw: dieser
## Typ mit Leerzeichen statt Unterstrichen, für einen hier nicht aufgeführten Typ.
canarytokens-type = { $type ->
    [aws_keys] AWS-API-Schlüssel
    [aws_id] AWS-API-Schlüssel
    [web] Web-Bug
    [dns] DNS
    [ms_word] Word-Dokument
    [ms_excel] Excel-Dokument
    [adobe_pdf] PDF-Dokument
    [pdf] PDF-Dokument
    [clonedsite] geklonte Website
    [cssclonedsite] geklonte Website
    [qr_code] QR-Code
    [slow_redirect] Weiterleitung
    [fast_redirect] Weiterleitung
    [sql_server] SQL-Server
    [my_sql] MySQL-Dump
    [mysql] MySQL-Dump
    [windows_dir] Windows-Ordner
    [windows_fake_fs] Windows-Ordner
    [kubeconfig] Kubeconfig
    [wireguard] WireGuard-VPN
    [cc] Kreditkarte
    [credit_card_v2] Kreditkarte
    [smtp] E-Mail-Adresse
    [azure_id] Azure-Anmeldezertifikat
    [slack_api] Slack-API-Schlüssel
    [signed_exe] signierte Programmdatei
    [web_image] Webbild
    [cmd] sensibler Befehl
    [svn] SVN
    [log4shell] Log4Shell
    [pwa] Fake-App
   *[other] { $raw }
}

## Titel.
canarytokens-title-exposed = { $memo ->
    [none] Canarytoken öffentlich gefunden
   *[other] Canarytoken öffentlich gefunden: { $memo }
}
canarytokens-title-tripped = { $memo ->
    [none] Canarytoken ausgelöst
   *[other] Canarytoken ausgelöst: { $memo }
}

## Zusammenfassungen.
# $type: canarytokens-type oder "none".
canarytokens-what = { $type ->
    [none] Dein Canarytoken
   *[other] Dein Canarytoken vom Typ { $type }
}
# $day: der Tag; $clock: "13:24:05" (UTC).
canarytokens-when = am { $day } um { $clock } UTC
# $what: canarytokens-what; $place: wo es gefunden wurde (eine URL) oder "none".
canarytokens-summary-exposed = { $what } wurde{ $when ->
        [none] {""}
       *[other] {" "}{ $when }
    } öffentlich gefunden{ $place ->
        [none] {""}
       *[other] {" "}unter { $place }
    }; benutzt hat es noch niemand.
# Wie es ausgelöst wurde, je ein Umstand; mit ", " verbunden.
# $ip: die Quell-IP-Adresse; $geo: Stadt, Region, Land, Netz mit ", " verbunden oder "none";
# $tor: "yes", wenn die Adresse ein Tor-Ausgangsknoten ist, sonst "no".
canarytokens-fact-from = von { $ip }{ $geo ->
        [none] {""}
       *[other] {" "}({ $geo })
    }{ $tor ->
        [yes] , ein Tor-Ausgangsknoten
       *[no] {""}
    }
# $channel: worüber das Token erreicht wurde ("HTTP", "DNS").
canarytokens-fact-channel = über { $channel }
# $agent: der User-Agent des Aufrufers, gekürzt, in Anführungszeichen.
canarytokens-fact-agent = mit User-Agent { $agent }
# $calls: die AWS-API-Aufrufe, mit ", " verbunden.
canarytokens-fact-calls = Aufrufe: { $calls }
# $facts: die Umstände oben, mit ", " verbunden, oder "none".
canarytokens-summary-tripped = { $what } wurde{ $when ->
        [none] {""}
       *[other] {" "}{ $when }
    } ausgelöst{ $facts ->
        [none] {""}
       *[other] : { $facts }
    }.

## Empfehlungen.
canarytokens-advice-exposed = Suche, wo das Token veröffentlicht wurde, und entferne es{ $memo ->
        [none] {""}
       *[other] {" "}(deine Notiz: { $memo })
    }; ein veröffentlichter Köder-Schlüssel zeigt nur, dass er von dort abgeflossen ist, wo du ihn ausgelegt hast: kläre, wie. Rechne damit, dass Scanner ihn bald auslösen.
# $aws: "yes" für ein AWS-Schlüssel-Token, sonst "no".
canarytokens-advice-tripped = Ein Canarytoken berührt niemand rechtmäßig: jemand ist an den Ort gelangt, an dem du es ausgelegt hast{ $memo ->
        [none] {""}
       *[other] {" "}(deine Notiz: { $memo })
    }. Behandle diesen Ort als kompromittiert: kläre, wer Zugriff hatte, { $aws ->
        [yes] tausche die echten Zugangsdaten neben den falschen AWS-Schlüsseln aus
       *[no] tausche dort liegende Zugangsdaten aus
    } und suche die Quell-IP-Adresse in deinen Logs. Verwalten oder abschalten lässt sich das Token über seine Verwaltungsseite bei Canarytokens.
