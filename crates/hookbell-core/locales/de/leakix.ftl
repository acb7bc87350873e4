### LeakIX (src/providers/leakix.rs): ein Datenleck oder ein offener Dienst, den LeakIX gefunden
### hat. Häufige Argumente:
###   $place  "host:port" (oder leakix-unknown-host)
###   $name   der Produktname eines Datenspeichers ("MongoDB")
###   $db     "yes", wenn der Speicher eine Datenbank ist, "no" für einen anderen Dienst
###   $file   eine offengelegte Datei oder Seite in Worten: leakix-file
###   $port   die Portnummer als Text ("27017") oder "none"

leakix-unknown-host = unbekanntem Host

## Eine offengelegte Datei oder Seite (weiblich). $kind: was das Plugin von LeakIX ansah.
leakix-file = { $kind ->
    [dsstore] .DS_Store-Datei
    [phpinfo] phpinfo()-Seite
    [apachestatus] Apache-Statusseite
    [configjson] config.json-Datei
   *[telescope] Laravel-Telescope-Oberfläche
}

## Titel. $what: Software und Protokoll ("nginx, https") oder "none"; $type: der Lecktyp von
## LeakIX oder "none".
leakix-title-service = { $what ->
    [none] Offener Dienst auf { $place }
   *[other] Dienst auf { $place } gefunden: { $what }
}
leakix-title-ransom-note-store = Lösegeldforderung in { $name }-{ $db ->
        [yes] Datenbank
       *[no] Dienst
    } auf { $place }
leakix-title-ransom-note = Lösegeldforderung auf { $place } gefunden
leakix-title-infected-store = { $name }-{ $db ->
        [yes] Datenbank
       *[no] Dienst
    } auf { $place } von Ransomware befallen
leakix-title-infected = Ransomware-Befall auf { $place }
leakix-title-dotenv = Offengelegte .env-Konfiguration auf { $place }
leakix-title-git = Offengelegte Git-Konfiguration auf { $place }
leakix-title-file = Offengelegte { $file } auf { $place }
leakix-title-weak = Schwache Zugangsdaten für { $name }-{ $db ->
        [yes] Datenbank
       *[no] Dienst
    } auf { $place }
leakix-title-store = { $db ->
        [yes] Offene { $name }-Datenbank
       *[no] Offener { $name }-Dienst
    } auf { $place }
leakix-title-leak = { $type ->
    [none] Datenleck auf { $place }
   *[other] Datenleck ({ $type }) auf { $place }
}
# $title: einer der Titel oben; $source: das Plugin von LeakIX ("DotEnvConfigPlugin").
leakix-title-source = { $title } ({ $source })

## Was gefunden wurde, für leakix-summary (Akkusativ). $what: Software und Protokoll
## ("nginx (https)") oder "none"; $type: der Lecktyp von LeakIX oder "none".
leakix-found-service = { $what ->
    [none] einen offenen Dienst
   *[other] { $what } in Betrieb
}
leakix-found-dotenv = eine offengelegte .env-Konfiguration
leakix-found-git = eine offengelegte Git-Konfiguration
leakix-found-file = eine offengelegte { $file }
leakix-found-weak = { $db ->
        [yes] eine { $name }-Datenbank
       *[no] einen { $name }-Dienst
    } mit schwachen Zugangsdaten
leakix-found-store = { $db ->
        [yes] eine offene { $name }-Datenbank
       *[no] einen offenen { $name }-Dienst
    }
leakix-found-leak = { $type ->
    [none] ein Datenleck
   *[other] ein Datenleck ({ $type })
}

## Zusammenfassung, Satz für Satz.
# $source: das Plugin von LeakIX oder "none"; $what: eine der leakix-found-…; $url: die Adresse
# des Offengelegten oder "none"; $aside: IP-Adresse, Organisation und Land mit ", " verbunden,
# oder "none".
leakix-summary = LeakIX{ $source ->
        [none] {""}
       *[other] {" "}({ $source })
    } hat { $what } { $url ->
        [none] auf { $place }
       *[other] unter { $url }
    }{ $aside ->
        [none] {""}
       *[other] {" "}({ $aside })
    } gefunden.
# $count: wie viele Lösegeldforderungen.
leakix-state-ransom-notes = { $count ->
    [one] Dort liegt eine Lösegeldforderung
   *[other] Dort liegen { $count } Lösegeldforderungen
}; die Daten wurden vermutlich gelöscht oder gestohlen.
leakix-state-infected = LeakIX meldet einen Ransomware-Befall; die Daten wurden vermutlich gelöscht oder gestohlen.
# Wie weit LeakIX kam. $stage: die Stufe von LeakIX (open, explore oder exfiltrate).
leakix-stage = { $stage ->
    [open] Der Zugang ist aus dem Internet offen
    [explore] LeakIX konnte den Inhalt auflisten
   *[exfiltrate] LeakIX konnte Daten daraus auslesen
}
# $count: eine Anzahl.
leakix-rows = { $count ->
    [one] { $count } Zeile
   *[other] { $count } Zeilen
}
leakix-files = { $count ->
    [one] { $count } Datei
   *[other] { $count } Dateien
}
leakix-collections = { $count ->
    [one] { $count } Sammlung
   *[other] { $count } Sammlungen
}
# Eine Größe. $size: die Zahl; $unit: B, KiB, MiB, GiB, TiB oder PiB.
leakix-size = { $size } { $unit }
# $count: wie viele Lösegeldforderungen.
leakix-state-notes = { $count ->
    [one] LeakIX hat außerdem eine Lösegeldforderung erfasst.
   *[other] LeakIX hat außerdem { $count } Lösegeldforderungen erfasst.
}
# $stage: leakix-stage oder "none"; $counts: die Anzahlen oben mit ", " verbunden, oder "none";
# $notes: leakix-state-notes oder "none". Nie sind $stage und $counts beide "none".
leakix-state = { $stage ->
        [none] Offengelegt: { $counts }
       *[other] { $stage }{ $counts ->
            [none] {""}
           *[other] {" "}({ $counts })
        }
    }{ $notes ->
        [none] .
       *[other] ; { $notes }
    }
# Erbeutete Zugangsdaten. $kind: password, key oder ein anderer Name.
leakix-credential = { $kind ->
    [password] Passwort
    [key] Schlüssel
   *[other] Rohdaten der Anmeldung
}
# $user: der Benutzername oder "none"; $names: Wörter aus leakix-credential mit ", " verbunden.
leakix-access-captured = { $user ->
    [none] Zugangsdaten wurden erbeutet ({ $names }); sie werden maskiert angezeigt.
   *[other] Zugangsdaten des Benutzers { $user } wurden erbeutet ({ $names }); sie werden maskiert angezeigt.
}
leakix-access-open = Eine Anmeldung ist nicht erforderlich.
# $count: wie viele Geheimnisse maskiert wurden; $list: bis zu vier ihrer Namen mit ", " verbunden.
leakix-content = { $count ->
    [one] Der offengelegte Inhalt enthält ein Geheimnis ({ $list }); es wird maskiert angezeigt.
   *[other] Der offengelegte Inhalt enthält { $count } Geheimnisse ({ $list }); sie werden maskiert angezeigt.
}

## Empfehlung. $url: die Adresse des Offengelegten oder $place.
leakix-port = { $port ->
    [none] den Port
   *[other] Port { $port }
}
# $port hier und unten: leakix-port.
leakix-advice-ransomed = Behandle die Daten auf { $place } als kompromittiert: Nimm den Dienst vom Netz, stelle die Daten aus einer sauberen Sicherung wieder her, verlange eine Anmeldung und sperre { $port } per Firewall, bevor du ihn wieder öffnest, zahle kein Lösegeld und melde den Vorfall (bei personenbezogenen Daten binnen 72 Stunden an deine Datenschutz-Aufsichtsbehörde).
# $web: "yes", wenn die Datei auf einem Web-Port (80, 443, …) ausgeliefert wird, sonst "no".
leakix-advice-dotenv = Tausche jeden Schlüssel, jedes Passwort und jedes Token aus der unter { $url } abrufbaren .env-Datei aus (Datenbank-, Mail-, Cloud- und API-Zugänge gleichermaßen){ $web ->
        [yes] {" "}und entferne die Datei aus dem Web-Verzeichnis oder sperre den Zugriff darauf.
       *[no] , entferne die Datei aus dem Web-Verzeichnis oder sperre den Zugriff darauf, und schließe { $port }, wenn er nicht öffentlich sein muss.
    }
leakix-advice-git = Sperre den Zugriff auf das .git-Verzeichnis auf { $place } (oder entferne es aus dem Web-Verzeichnis) und tausche alle Zugangsdaten aus, die je in dieses Repository eingecheckt wurden: Seine gesamte Historie kann heruntergeladen werden.
leakix-advice-file = Entferne die { $file } unter { $url } aus dem öffentlichen Zugriff und tausche alle Zugangsdaten und Schlüssel aus, die sie preisgibt.
# $user: der Benutzername oder "none".
leakix-advice-weak = Ersetze die schwachen Zugangsdaten { $user ->
        [none] {""}
       *[other] von { $user }{" "}
    }für { $name } auf { $place } sofort durch starke, einmalige (auch überall, wo sie noch verwendet werden), beschränke { $port } per Firewall auf vertrauenswürdige Rechner, und prüfe Protokolle und Daten auf fremde Zugriffe.
leakix-advice-store = Verlange für { $name } auf { $place } eine Anmeldung, binde den Dienst an eine private Adresse oder beschränke { $port } per Firewall auf vertrauenswürdige Rechner, und prüfe Protokolle und Daten auf fremde Zugriffe.
leakix-advice-leak = Prüfe, was auf { $place } offenliegt (siehe LeakIX-Bericht), entferne es aus dem öffentlichen Zugriff oder schütze es mit einer Anmeldung, beschränke { $port } auf die, die ihn brauchen, und tausche preisgegebene Zugangsdaten aus.
# $what: Software und Protokoll ("nginx (https)") oder "none".
leakix-advice-service = Prüfe, ob { $what ->
        [none] der Dienst
       *[other] { $what }
    } auf { $place } aus dem Internet erreichbar sein soll; falls nicht, schließe { $port } oder beschränke ihn auf vertrauenswürdige Adressen. Halte den Dienst aktuell und durch eine Anmeldung geschützt.
leakix-advice-ransom-notes = Prüfe, ob die von LeakIX erfassten Lösegeldforderungen bedeuten, dass Daten gelöscht oder kopiert wurden; falls ja, behandle es als Datenpanne: Stelle die Daten aus einer sauberen Sicherung wieder her und melde den Vorfall.
# $user: der Benutzername oder "none".
leakix-advice-credentials = { $user ->
    [none] Ändere die erbeuteten Zugangsdaten sofort, überall, wo sie verwendet wurden.
   *[other] Ändere die erbeuteten Zugangsdaten von { $user } sofort, überall, wo sie verwendet wurden.
}
