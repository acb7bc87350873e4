### Cyscale (src/providers/cyscale.rs): a control failed by an asset or a cloud account, and
### compliance threshold violations. Arguments used by many messages:
###   $provider  the cloud ("GCP", "AWS", …) or "none"
###   $account   the cloud account's name in quotation marks, or its id
###   $kind      the asset's type in words ("firewall rule", "IAM user") or "none"
###   $asset     the asset's name (in quotation marks when it has spaces)
###   $control   the control's name in quotation marks, or "none"
###   $resolved  "yes" or "no"

## A cloud account inside a sentence.
cyscale-account = { $provider ->
    [none] cloud account { $account }
   *[other] { $provider } account { $account }
}

## Titles: what fails, then ": " and the control's name cut to fit 100 characters.
## Here $asset and $account are in quotation marks only when they have spaces.
cyscale-title-asset = { $kind ->
    [none] Asset { $asset }
   *[other] { CAPITALIZE($kind) } { $asset }
}
cyscale-title-account = { $provider ->
    [none] Cloud account { $account }
   *[other] { $provider } account { $account }
}
# $target: one of the two above, or "none".
cyscale-title-head = { $resolved ->
    [yes] { $target ->
        [none] Resolved
       *[other] Resolved: { $target }
    }
   *[no] { $target ->
        [none] Control fails
       *[other] { $target } fails
    }
}
# $head: the above; $name: the control's name.
cyscale-title = { $head }: { $name }
# Without a control's name. $subject: the asset's or account's name or id, or "none".
cyscale-title-unnamed = { $resolved ->
    [yes] Resolved: { $subject ->
        [none] Cyscale alert
       *[other] Cyscale alert for { $subject }
    }
   *[no] { $subject ->
        [none] Cyscale alert
       *[other] Cyscale alert for { $subject }
    }
}

## Summary: what fails which control, then when Cyscale raised it.
cyscale-who-asset = { $kind ->
    [none] The asset { $asset }
   *[other] The { $kind } { $asset }
}
cyscale-who-asset-in-account = { cyscale-who-asset } in { cyscale-account }
cyscale-who-account = { $provider ->
    [none] Cloud account { $account }
   *[other] { $provider } account { $account }
}
cyscale-who-unknown = A cloud resource
# $who: one of the four above.
cyscale-summary-fails = { $who } { $resolved ->
        [yes] failed
       *[no] fails
    } { $control ->
        [none] a Cyscale control.
       *[other] the control { $control }.
    }
# $severity: see `severity` in common.ftl; $created: a date-time.
cyscale-summary-raised = Cyscale raised this { severity }-severity alert on { $created }.
cyscale-summary-severity = Severity: { severity }.
# $resolved-at: a date-time.
cyscale-summary-resolved-at = It was resolved on { $resolved-at }.
cyscale-summary-resolved = It has been resolved since.

## Recommendation, sentence by sentence.
cyscale-advice-resolved = Cyscale reports this finding as resolved, so there is nothing left to fix: check that the change was intended and that the control keeps passing.
cyscale-advice-critical = A critical finding: fix it now.
cyscale-advice-high = A high-severity finding: fix it today.
cyscale-advice-open = { $control ->
    [none] In Cyscale, open the alert
   *[other] In Cyscale, open the control { $control }
}
cyscale-advice-asset = { cyscale-advice-open } and check why the { $kind ->
        [none] asset
       *[other] { $kind }
    } { $asset } { $control ->
        [none] fails
       *[other] fails it
    }; then change the configuration of { $asset } so that it passes, or remove it if it is no longer needed.
cyscale-advice-asset-in-account = { cyscale-advice-open } and check why the { $kind ->
        [none] asset
       *[other] { $kind }
    } { $asset } in { cyscale-account } { $control ->
        [none] fails
       *[other] fails it
    }; then change the configuration of { $asset } so that it passes, or remove it if it is no longer needed.
cyscale-advice-account = { cyscale-advice-open } for { cyscale-account }: it checks the account's own settings, so change them as the control describes.
cyscale-advice-no-account = { cyscale-advice-open }: it checks the account's own settings, so change them as the control describes.
# A tip chosen from the control's wording.
cyscale-hint-network = Allow traffic only from the source addresses and on the ports that really need it; RDP (3389) and SSH (22) should never be open to the whole internet.
cyscale-hint-public = Remove public or anonymous access unless it is intended, and grant access only to the identities that need it.
cyscale-hint-mfa = Turn on multi-factor authentication for every account concerned.
cyscale-hint-encryption = Turn on encryption at rest, with a customer-managed key where the control asks for one.
cyscale-hint-logging = Turn on the logging, metric filter or alert it asks for, so that such changes are recorded and someone is notified of them.
cyscale-hint-credentials = Rotate the keys or credentials concerned and delete the ones no longer in use.
cyscale-hint-tls = Require TLS (HTTPS) with a current protocol version for every connection.
cyscale-hint-backup = Turn on the backups, versioning or retention it asks for.
cyscale-hint-privilege = Apply least privilege: remove administrative rights that are not needed.
cyscale-advice-closing = Cyscale closes the alert after its next scan finds the control passing; if the deviation is intended, record an exception in Cyscale instead.

## Compliance threshold violations. $policies, $standards: how many of each are listed;
## $count: both together; $threshold: the threshold in percent, or "none".
cyscale-policies = { $policies ->
    [one] { $policies } policy
   *[other] { $policies } policies
}
cyscale-standards = { $standards ->
    [one] { $standards } standard
   *[other] { $standards } standards
}
cyscale-counted = { $standards ->
    [0] { cyscale-policies }
   *[other] { $policies ->
        [0] { cyscale-standards }
       *[other] { cyscale-policies } and { cyscale-standards }
    }
}
cyscale-below-threshold = below the { $threshold ->
    [none] compliance threshold
   *[other] { $threshold } % compliance threshold
}
cyscale-compliance-title = { cyscale-counted } { cyscale-below-threshold }
cyscale-compliance-title-empty = Compliance threshold violation (no policies listed)
# $lowest: the lowest-scoring policy's name, or "none"; $lowest-score: its score in percent;
# $skipped: how many policies Cyscale skipped (0 for none).
cyscale-compliance-summary = { cyscale-counted } { $count ->
        [one] is
       *[other] are
    } { cyscale-below-threshold }{ $lowest ->
        [none] {""}
       *[other] { $count ->
            [one] {" "}at { $lowest-score } %
           *[other] , the lowest being { $lowest } at { $lowest-score } %
        }
    }{ $skipped ->
        [0] .
       *[other] {" "}(Cyscale skipped { $skipped } more).
    }
cyscale-compliance-summary-empty = Cyscale reports a compliance threshold violation but lists no policies{ $skipped ->
        [0] .
       *[other] {" "}(it skipped { $skipped }).
    }
# $name: the policy's name; $before, $now: its previous and current score in percent.
cyscale-compliance-fell-most = { $name } fell the most, from { $before } % to { $now } %.
cyscale-compliance-change = { $name } ({ $before } % → { $now } %)
# $score: the current score in percent.
cyscale-compliance-score = { $name } ({ $score } %)
# $list: the policies above, as a list.
cyscale-compliance-advice-fallen = Start with what fell the most: { $list }.
cyscale-compliance-advice-lowest = Start with the lowest scores: { $list }.
# $count: how many policies the advice names (1 or more).
cyscale-compliance-advice-open = { $count ->
    [one] In Cyscale, open it, fix first the failing controls that affect the most assets, and check what changed since the previous score (new assets, changed configurations).
   *[other] In Cyscale, open each of them, fix first the failing controls that affect the most assets, and check what changed since the previous score (new assets, changed configurations).
}
cyscale-compliance-advice-raise = { $count ->
    [one] Also raise { $list }: it is under half the threshold.
   *[other] Also raise { $list }: they are under half the threshold.
}
cyscale-compliance-advice-empty = Open the compliance overview in Cyscale to see which policies and standards are below the threshold: this report names none.
# The subject: up to three names ($names), and how many more there are ($more).
cyscale-subject-more = { $names } +{ $more } more
