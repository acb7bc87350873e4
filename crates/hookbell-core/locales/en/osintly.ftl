### Osintly (src/providers/osintly.rs): a search that reached a terminal status, with what it
### found. Arguments used by many messages:
###   $count   a number
###   $target  the searched value (an e-mail address, a user name, …), or "none"

## What a search found, counted.
osintly-breached-accounts = { $count ->
    [one] { $count } breached account
   *[other] { $count } breached accounts
}
osintly-data-leaks = { $count ->
    [one] { $count } data leak
   *[other] { $count } data leaks
}
osintly-registered-accounts = { $count ->
    [one] { $count } registered account
   *[other] { $count } registered accounts
}
osintly-result-cards = { $count ->
    [one] { $count } result card
   *[other] { $count } result cards
}

## Titles (cut to 100 characters by shortening $target).
# $found: breached accounts and/or data leaks, counted (above).
osintly-title-found = { $target ->
    [none] Osintly found { $found }
   *[other] Osintly found { $found } for { $target }
}
# Only registered accounts or result cards.
osintly-title-clean = { $target ->
    [none] Osintly found no breaches or leaks
   *[other] Osintly found no breaches or leaks for { $target }
}
osintly-title-nothing = { $target ->
    [none] Osintly search found nothing
   *[other] Osintly search for { $target } found nothing
}
osintly-title-failed = { $target ->
    [none] Osintly search failed
   *[other] Osintly search for { $target } failed
}
# $status: the status as sent, in quotation marks.
osintly-title-other = { $target ->
    [none] Osintly search ended with status { $status }
   *[other] Osintly search for { $target } ended with status { $status }
}

## Summary.
# The search as the subject of a sentence. $kind: what was searched ("Email Address"), or "none".
osintly-the-search = The Osintly search{ $target ->
        [none] {""}
       *[other] {" "}for { $target }
    }{ $kind ->
        [none] {""}
       *[other] {" "}({ $kind })
    }
# $search: the above.
osintly-summary-nothing = { $search } finished and found nothing: no breached accounts, data leaks, registered accounts or result cards.
# $totals: every kind of result, counted (above), as a list.
osintly-summary-finished = { $search } finished with { $totals }.
# $count: how many passwords and other secrets Hookbell masked.
osintly-summary-secrets = The results contain { $count ->
        [one] { $count } password or other secret
       *[other] { $count } passwords or other secrets
    }; Hookbell keeps them masked only.
osintly-summary-error = { $search } ended with an error.
osintly-summary-failed = { $search } failed.
# $status: the status as sent, in quotation marks.
osintly-summary-other = { $search } ended with the unexpected status { $status }; Hookbell handles it like a failed search.
# After a failure: what the search returned anyway.
osintly-summary-no-results = It returned no results.
osintly-summary-received = Results received: { $totals }.

## Recommendation.
osintly-advice-retry = { $target ->
    [none] Retry the search in Osintly; if it fails again, check the search's options or contact Osintly support.
   *[other] Retry the search for { $target } in Osintly; if it fails again, check the search's options or contact Osintly support.
}
# $services: the breached services, listed, or "none".
osintly-advice-breach = Change the passwords of the breached accounts found{ $target ->
        [none] {""}
       *[other] {" "}for { $target }
    }, everywhere you reused them, and turn on two-factor authentication; { $services ->
        [none] check the services listed below.
       *[other] check these services: { $services }.
    }
# $sources: the leak sources, listed, or "none".
osintly-advice-leak = { $target ->
        [none] Review what leaked
       *[other] Review what leaked about { $target }
    } { $sources ->
        [none] (see the details below)
       *[other] (sources: { $sources })
    } and change any password, security question or other access data that appears there.
osintly-advice-cleartext = Passwords appear in clear text in the results: treat them as known to attackers.
osintly-advice-nothing = { $target ->
    [none] Nothing was found; no action is needed.
   *[other] Nothing was found for { $target }; no action is needed.
}
# $count: how many registered accounts were found.
osintly-advice-registered = No breached accounts or leaks were found{ $target ->
        [none] {""}
       *[other] {" "}for { $target }
    }, so no action is needed. Optionally review the { osintly-registered-accounts } and close those no longer used.
