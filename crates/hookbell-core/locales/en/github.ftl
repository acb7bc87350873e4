### GitHub (src/providers/github.rs): Dependabot, code scanning and secret scanning alerts,
### security advisories and repository vulnerability alerts. Arguments used by many messages:
###   $repo      the repository's full name (or github-a-repository)
###   $number    the alert's number on GitHub
###   $severity  low, medium, high or critical (the message "severity" says it)
###   $action    the event's action ("created", "fixed", …): github-action says what it did

## Words used when the event leaves something unnamed.
github-a-repository = a repository
github-a-dependency = a dependency
github-a-rule = a code scanning rule
github-a-secret = secret

## A sentence on what the action did, at the end of a summary (nothing for a new alert).
# $action: see above.
github-action = { $action ->
    [fixed] {" "}GitHub marked it fixed.
    [resolve] {" "}GitHub marked it fixed.
    [resolved] {" "}It was resolved on GitHub.
    [dismissed] {" "}It was dismissed on GitHub.
    [dismiss] {" "}It was dismissed on GitHub.
    [closed_by_user] {" "}It was dismissed on GitHub.
    [auto_dismissed] {" "}GitHub dismissed it automatically.
    [withdrawn] {" "}GitHub withdrew the advisory.
    [reopened] {" "}It was reopened.
    [reopened_by_user] {" "}It was reopened.
    [auto_reopened] {" "}It was reopened.
    [reintroduced] {" "}The vulnerable version is back.
    [publicly_leaked] {" "}GitHub found it publicly leaked.
    [validated] {" "}GitHub checked whether it still works.
    [assigned] {" "}Its assignee changed.
    [unassigned] {" "}Its assignee changed.
    [appeared_in_branch] {" "}It appeared in another branch.
   *[other] {""}
}

## Dependabot alerts.
# Title when the advisory's summary does not name the package. $package; $summary: the
# advisory's summary, or "none"; $repo.
github-dependabot-title = { $summary ->
    [none] Vulnerable dependency { $package } in { $repo }
   *[other] { $package }: { $summary }
}
# $number, $repo, $package, $severity, $action; $range: the vulnerable versions, $manifest: the
# manifest's path, $id: the CVE or GHSA id; each of those three or "none".
github-dependabot-summary = Dependabot alert #{ $number } in { $repo }: { $package }{ $range ->
    [none] {""}
   *[other] {" "}{ $range }
}{ $manifest ->
    [none] {""}
   *[other] {" "}in { $manifest }
} has a { severity }-severity vulnerability{ $id ->
    [none] {""}
   *[other] {" "}({ $id })
}.{ github-action }
# $package, $repo; $patched: the first patched version, or "none"; $where: the manifest's path
# (or the repository's name).
github-dependabot-advice = { $patched ->
    [none] No patched version of { $package } exists yet: remove or replace it in { $where } ({ $repo }), or limit what reaches the vulnerable code, and watch the advisory for a fix.
   *[other] Upgrade { $package } to { $patched } or later in { $where } ({ $repo }), or merge Dependabot's pull request if it opened one; then check that nothing pins the old version.
}

## Code scanning alerts.
# $tool: the tool's name, or "none"; $rule: the rule's description or name.
github-code-title = { $tool ->
    [none] Code scanning
   *[other] { $tool }
}: { $rule }
# $number, $repo, $severity, $action; $rule: the rule's id, $place: "path:line", $ref: the git
# ref; each of those three or "none".
github-code-summary = Code scanning alert #{ $number } in { $repo }: rule{ $rule ->
    [none] {""}
   *[other] {" "}{ $rule }
} ({ severity }) flagged the code{ $place ->
    [none] {""}
   *[other] {" "}at { $place }
}{ $ref ->
    [none] {""}
   *[other] {" "}on { $ref }
}.{ github-action }
# Followed by the rule's help, when it has some. $place: "path:line" or "none"; $repo.
github-code-advice = Fix the code { $place ->
    [none] in { $repo }
   *[other] at { $place } in { $repo }
} as the rule describes, or dismiss the alert on GitHub with a reason if it is a false positive.

## Secret scanning alerts.
# $kind: the secret's type ("GitHub Personal Access Token"); $repo; $leaked: "yes" when
# publicly leaked.
github-secret-title = { $leaked ->
    [yes] { $kind } publicly leaked from { $repo }
   *[no] { $kind } exposed in { $repo }
}
# $number, $kind, $repo, $action; $leaked-note: "yes" to say it is publicly leaked (when the
# action's own sentence does not); $validity:
# active, inactive or "none"; $place: where it was found again ("path:line"), or "none".
github-secret-summary = Secret scanning alert #{ $number }: GitHub found a secret of type { $kind } in { $repo }.{ $leaked-note ->
    [yes] {" "}It is publicly leaked.
   *[no] {""}
}{ $validity ->
    [active] {" "}GitHub reports it still works.
    [inactive] {" "}GitHub reports it no longer works.
   *[other] {""}
}{ $place ->
    [none] {""}
   *[other] {" "}Found again at { $place }.
}{ github-action }
# $kind, $repo, $number.
github-secret-advice = Revoke this { $kind } at its issuer now and issue a new one; deleting it from { $repo } is not enough, it stays in the git history and in every clone. Put the new one where { $repo }'s code and CI read secrets from (a secret store, not the repository), check the issuer's logs for use since the leak, then close alert #{ $number } on GitHub as revoked.

## Security advisories.
# $ghsa: the advisory's id; $summary: its summary, or "none".
github-advisory-title = { $summary ->
    [none] Security advisory { $ghsa }
   *[other] { $ghsa }: { $summary }
}
# $ghsa, $severity, $action; $packages: the affected packages in a list, or "none".
github-advisory-summary = GitHub advisory { $ghsa } ({ severity }) affects { $packages ->
    [none] packages it names
   *[other] { $packages }
}.{ github-action }
# One affected package. $package: name (ecosystem); $range: the affected versions, or "none";
# $patched: the first patched version, or "none".
github-advisory-step = { $package }{ $range ->
    [none] {""}
   *[other] {" "}{ $range }
}: { $patched ->
    [none] no patched version yet; remove or replace it, or limit exposure
   *[other] upgrade to { $patched } or later
}
# $steps: the steps above joined with "; ", or "none".
github-advisory-advice = { $steps ->
    [none] Check whether your projects use an affected version.
   *[other] Check whether your projects use an affected version: { $steps }.
}
github-advisory-withdrawn = GitHub withdrew this advisory: nothing to do for it.

## Repository vulnerability alerts (the older form of Dependabot alerts).
# $package, $repo; $id: the advisory's id, or "none".
github-vulnerability-title = Vulnerable dependency { $package } in { $repo }{ $id ->
    [none] {""}
   *[other] {" "}({ $id })
}
# $package, $repo, $severity, $action; $range: the affected versions, or "none"; $id as above.
github-vulnerability-summary = GitHub found { $package }{ $range ->
    [none] {""}
   *[other] {" "}{ $range }
} in { $repo }, which has a { severity }-severity vulnerability{ $id ->
    [none] {""}
   *[other] {" "}({ $id })
}.{ github-action }
# $package, $repo; $fixed: the version that fixes it, or "none".
github-vulnerability-advice = { $fixed ->
    [none] No fixed version of { $package } is known: remove or replace it in { $repo }, or limit its exposure.
   *[other] Upgrade { $package } to { $fixed } or later in { $repo }.
}
