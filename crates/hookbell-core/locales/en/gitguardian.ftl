### GitGuardian (src/providers/gitguardian.rs): secret incidents, honeytoken events and the
### "send test message" button. Arguments used by many messages:
###   $detector  the detector's name ("Slack Bot Token"), or "none"
###   $place     the repository or source the secret was found in, or "none"

## Secret incidents.
# The secret at the start of a title.
gitguardian-what = { $detector ->
    [none] A secret
   *[other] { $detector } secret
}
# The secret inside a sentence.
gitguardian-the-secret = { $detector ->
    [none] the secret
   *[other] the { $detector } secret
}

## Titles, by what happened to the incident. $what: gitguardian-what.
gitguardian-title-exposed = { $place ->
    [none] { $what } exposed
   *[other] { $what } exposed in { $place }
}
gitguardian-title-regression = { $place ->
    [none] { $what } exposed again
   *[other] { $what } exposed again in { $place }
}
gitguardian-title-resolved = { $place ->
    [none] Resolved: { $what }
   *[other] Resolved: { $what } in { $place }
}
gitguardian-title-ignored = { $place ->
    [none] Ignored: { $what }
   *[other] Ignored: { $what } in { $place }
}
gitguardian-title-reopened = { $place ->
    [none] Reopened: { $what }
   *[other] Reopened: { $what } in { $place }
}

## Summary: facts joined with ", ", then a full stop.
# $id: the incident's id; $severity: GitGuardian's severity word as sent, or "none".
gitguardian-summary-incident = GitGuardian incident #{ $id } ({ $severity ->
        [none] unknown
       *[other] { $severity }
    } severity)
# $validity: GitGuardian's validity as sent.
gitguardian-summary-validity = { $validity ->
    [valid] still valid
    [invalid] no longer valid
    [failed_to_check] validity could not be checked
    [no_checker] validity not checked
   *[other] validity unknown
}
# $count: how many occurrences.
gitguardian-summary-occurrences = { $count ->
    [one] { $count } occurrence
   *[other] { $count } occurrences
}
# $files: up to three file paths.
gitguardian-summary-files = in { $files }
# $status: the incident's status as sent (TRIGGERED, ASSIGNED, …).
gitguardian-summary-status = status { $status }
# $who: the assignee's e-mail address.
gitguardian-summary-assignee = assigned to { $who }
# $facts: the facts above.
gitguardian-summary = { $facts }.

## Recommendation. $secret: gitguardian-the-secret.
gitguardian-advice-revoked = Nothing left to do: GitGuardian reports the incident resolved and the secret revoked.
gitguardian-advice-resolved = GitGuardian reports the incident resolved. Unless { $secret } was revoked at its issuer, revoke it now: a resolved incident does not make a leaked secret safe.
# $reason: GitGuardian's reason in words ("test credential"), or "none".
gitguardian-advice-ignored = GitGuardian marks the incident ignored{ $reason ->
        [none] {""}
       *[other] {" "}({ $reason })
    }. Make sure that is right: an ignored secret that still works is still exposed.
# $file: the first file it was found in, or "none".
gitguardian-advice-revoke = Revoke { $secret }{ $place ->
        [none] { $file ->
            [none] {""}
           *[other] {" "}found in { $file }
        }
       *[other] { $file ->
            [none] {" "}found in { $place }
           *[other] {" "}found in { $place } ({ $file })
        }
    } at its issuer and replace it where it is used; deleting the file or commit is not enough, the secret stays in the history. Then resolve the incident in GitGuardian.

## Honeytokens. $name: the honeytoken's name in quotation marks.
# $ip: the caller's IP address, or "none".
gitguardian-honeytoken-title = { $ip ->
    [none] Honeytoken { $name } triggered
   *[other] Honeytoken { $name } used from { $ip }
}
# $kind: the honeytoken's type ("AWS"), or "none"; $dated: "yes" with $day (the day), or "no";
# $facts: the event's facts below joined with ", ", or "none".
gitguardian-honeytoken-summary = Someone used the { $kind ->
        [none] {""}
       *[other] { $kind }{" "}
    }honeytoken { $name }{ $dated ->
        [yes] {" "}on { $day }
       *[no] {""}
    }{ $facts ->
        [none] {""}
       *[other] : { $facts }
    }.
gitguardian-honeytoken-from = from { $ip }
# $agent: the user agent in quotation marks.
gitguardian-honeytoken-agent = with user agent { $agent }
# $calls: the calls made, up to five.
gitguardian-honeytoken-calls = calling { $calls }
# $count: how many events of this honeytoken are open (more than one).
gitguardian-honeytoken-open-events = { $count ->
    [one] { $count } open event on this honeytoken.
   *[other] { $count } open events on this honeytoken.
}
# $description: the honeytoken's description in quotation marks, or "none".
gitguardian-honeytoken-advice = A honeytoken is never used by anyone legitimate: whoever used it read it where you planted it{ $description ->
        [none] {""}
       *[other] {" "}(its description: { $description })
    }. Treat that place (repository, machine, CI job) as compromised: find who had access, rotate the real credentials kept beside it, and look for the caller's IP address in your logs. Then close the event in GitGuardian.

## The "send test message" button.
gitguardian-test-title = GitGuardian webhook connected (test message)
gitguardian-test-summary = GitGuardian's test message arrived: incidents and honeytoken events sent to this source will arrive here.
gitguardian-test-advice = Nothing to do. You can mark this alert done.
