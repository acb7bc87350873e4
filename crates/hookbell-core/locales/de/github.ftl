### GitHub (src/providers/github.rs): Dependabot-, Code-Scanning- und Secret-Scanning-Warnungen,
### Sicherheitshinweise und Repository-Schwachstellenwarnungen. Argumente vieler Nachrichten:
###   $repo      der volle Name des Repositorys (oder github-a-repository)
###   $number    die Nummer der Warnung auf GitHub
###   $severity  low, medium, high oder critical (die Nachricht "severity" sagt ihn)
###   $action    die Aktion des Ereignisses ("created", "fixed", …): github-action sagt, was sie tat

## Wörter, wenn das Ereignis etwas nicht nennt.
github-a-repository = einem Repository
github-a-dependency = eine Abhängigkeit
github-a-rule = eine Code-Scanning-Regel
github-a-secret = Geheimnis

## Ein Satz dazu, was die Aktion getan hat, am Ende einer Zusammenfassung (nichts bei einer neuen Warnung).
# $action: siehe oben.
github-action = { $action ->
    [fixed] {" "}GitHub hat sie als behoben markiert.
    [resolve] {" "}GitHub hat sie als behoben markiert.
    [resolved] {" "}Sie wurde auf GitHub aufgelöst.
    [dismissed] {" "}Sie wurde auf GitHub verworfen.
    [dismiss] {" "}Sie wurde auf GitHub verworfen.
    [closed_by_user] {" "}Sie wurde auf GitHub verworfen.
    [auto_dismissed] {" "}GitHub hat sie automatisch verworfen.
    [withdrawn] {" "}GitHub hat den Sicherheitshinweis zurückgezogen.
    [reopened] {" "}Sie wurde wieder geöffnet.
    [reopened_by_user] {" "}Sie wurde wieder geöffnet.
    [auto_reopened] {" "}Sie wurde wieder geöffnet.
    [reintroduced] {" "}Die verwundbare Version ist wieder da.
    [publicly_leaked] {" "}GitHub hat sie öffentlich geleakt gefunden.
    [validated] {" "}GitHub hat geprüft, ob es noch funktioniert.
    [assigned] {" "}Die Zuständigkeit hat sich geändert.
    [unassigned] {" "}Die Zuständigkeit hat sich geändert.
    [appeared_in_branch] {" "}Sie ist in einem weiteren Branch aufgetaucht.
   *[other] {""}
}

## Dependabot-Warnungen.
# Titel, wenn die Zusammenfassung des Hinweises das Paket nicht nennt. $package; $summary: die
# Zusammenfassung des Hinweises oder "none"; $repo.
github-dependabot-title = { $summary ->
    [none] Verwundbare Abhängigkeit { $package } in { $repo }
   *[other] { $package }: { $summary }
}
# $number, $repo, $package, $severity, $action; $range: die verwundbaren Versionen, $manifest:
# der Pfad des Manifests, $id: die CVE- oder GHSA-Kennung; jedes dieser drei oder "none".
github-dependabot-summary = Dependabot-Warnung #{ $number } in { $repo }: { $package }{ $range ->
    [none] {""}
   *[other] {" "}{ $range }
}{ $manifest ->
    [none] {""}
   *[other] {" "}in { $manifest }
} hat eine Schwachstelle mit Schweregrad { severity }{ $id ->
    [none] {""}
   *[other] {" "}({ $id })
}.{ github-action }
# $package, $repo; $patched: die erste behobene Version oder "none"; $where: der Pfad des
# Manifests (oder der Name des Repositorys).
github-dependabot-advice = { $patched ->
    [none] Für { $package } gibt es noch keine behobene Version: Entferne oder ersetze es in { $where } ({ $repo }) oder begrenze, was den verwundbaren Code erreicht, und verfolge den Sicherheitshinweis.
   *[other] Aktualisiere { $package } auf { $patched } oder neuer in { $where } ({ $repo }) oder merge den Pull Request von Dependabot, falls es einen gibt; prüfe danach, dass nichts die alte Version festhält.
}

## Code-Scanning-Warnungen.
# $tool: der Name des Werkzeugs oder "none"; $rule: Beschreibung oder Name der Regel.
github-code-title = { $tool ->
    [none] Code-Scanning
   *[other] { $tool }
}: { $rule }
# $number, $repo, $severity, $action; $rule: die Kennung der Regel, $place: "Pfad:Zeile",
# $ref: die Git-Referenz; jedes dieser drei oder "none".
github-code-summary = Code-Scanning-Warnung #{ $number } in { $repo }: Regel{ $rule ->
    [none] {""}
   *[other] {" "}{ $rule }
} ({ severity }) hat den Code{ $place ->
    [none] {""}
   *[other] {" "}bei { $place }
}{ $ref ->
    [none] {""}
   *[other] {" "}auf { $ref }
} markiert.{ github-action }
# Danach folgt die Hilfe der Regel, wenn sie eine hat. $place: "Pfad:Zeile" oder "none"; $repo.
github-code-advice = Behebe den Code { $place ->
    [none] in { $repo }
   *[other] bei { $place } in { $repo }
} so, wie die Regel es beschreibt, oder verwirf die Warnung auf GitHub mit einer Begründung, wenn sie falsch ist.

## Secret-Scanning-Warnungen.
# $kind: der Typ des Geheimnisses ("GitHub Personal Access Token"); $repo; $leaked: "yes",
# wenn es öffentlich geleakt ist.
github-secret-title = { $leaked ->
    [yes] { $kind } aus { $repo } öffentlich geleakt
   *[no] { $kind } in { $repo } offengelegt
}
# $number, $kind, $repo, $action; $leaked-note: "yes", um zu sagen, dass es öffentlich geleakt
# ist (wenn der Satz der Aktion es nicht sagt);
# $validity: active, inactive oder "none"; $place: wo es erneut gefunden wurde ("Pfad:Zeile")
# oder "none".
github-secret-summary = Secret-Scanning-Warnung #{ $number }: GitHub hat ein Geheimnis vom Typ { $kind } in { $repo } gefunden.{ $leaked-note ->
    [yes] {" "}Es ist öffentlich geleakt.
   *[no] {""}
}{ $validity ->
    [active] {" "}GitHub meldet, dass es noch funktioniert.
    [inactive] {" "}GitHub meldet, dass es nicht mehr funktioniert.
   *[other] {""}
}{ $place ->
    [none] {""}
   *[other] {" "}Erneut gefunden bei { $place }.
}{ github-action }
# $kind, $repo, $number.
github-secret-advice = Widerrufe dieses Geheimnis ({ $kind }) sofort beim Aussteller und stelle ein neues aus; es aus { $repo } zu löschen reicht nicht, es bleibt in der Git-Historie und in jedem Klon. Lege das neue dort ab, wo Code und CI von { $repo } Geheimnisse lesen (ein Secret Store, nicht das Repository), prüfe die Protokolle des Ausstellers auf Nutzung seit dem Leak und schließe dann Warnung #{ $number } auf GitHub als widerrufen.

## Sicherheitshinweise.
# $ghsa: die Kennung des Hinweises; $summary: seine Zusammenfassung oder "none".
github-advisory-title = { $summary ->
    [none] Sicherheitshinweis { $ghsa }
   *[other] { $ghsa }: { $summary }
}
# $ghsa, $severity, $action; $packages: die betroffenen Pakete als Aufzählung oder "none".
github-advisory-summary = Der GitHub-Sicherheitshinweis { $ghsa } ({ severity }) betrifft { $packages ->
    [none] die genannten Pakete
   *[other] { $packages }
}.{ github-action }
# Ein betroffenes Paket. $package: Name (Ökosystem); $range: die betroffenen Versionen oder
# "none"; $patched: die erste behobene Version oder "none".
github-advisory-step = { $package }{ $range ->
    [none] {""}
   *[other] {" "}{ $range }
}: { $patched ->
    [none] noch keine behobene Version; entferne oder ersetze es oder begrenze das Risiko
   *[other] aktualisiere auf { $patched } oder neuer
}
# $steps: die obigen Schritte, mit "; " verbunden, oder "none".
github-advisory-advice = { $steps ->
    [none] Prüfe, ob deine Projekte eine betroffene Version verwenden.
   *[other] Prüfe, ob deine Projekte eine betroffene Version verwenden: { $steps }.
}
github-advisory-withdrawn = GitHub hat diesen Sicherheitshinweis zurückgezogen: Dafür ist nichts zu tun.

## Repository-Schwachstellenwarnungen (die ältere Form der Dependabot-Warnungen).
# $package, $repo; $id: die Kennung des Hinweises oder "none".
github-vulnerability-title = Verwundbare Abhängigkeit { $package } in { $repo }{ $id ->
    [none] {""}
   *[other] {" "}({ $id })
}
# $package, $repo, $severity, $action; $range: die betroffenen Versionen oder "none"; $id wie oben.
github-vulnerability-summary = GitHub hat { $package }{ $range ->
    [none] {""}
   *[other] {" "}{ $range }
} in { $repo } gefunden, mit einer Schwachstelle vom Schweregrad { severity }{ $id ->
    [none] {""}
   *[other] {" "}({ $id })
}.{ github-action }
# $package, $repo; $fixed: die Version, die es behebt, oder "none".
github-vulnerability-advice = { $fixed ->
    [none] Für { $package } ist keine behobene Version bekannt: Entferne oder ersetze es in { $repo } oder begrenze das Risiko.
   *[other] Aktualisiere { $package } in { $repo } auf { $fixed } oder neuer.
}
