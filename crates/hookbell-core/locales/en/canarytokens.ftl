### Canarytokens (src/providers/canarytokens.rs): a tripped token and a token found published
### (the test payload sent when a webhook URL is saved is acknowledged with no alert).
### Arguments used by many messages:
###   $memo   the token's memo (cut to fit) in quotation marks, or "none"
###   $when   "none", or when it happened: canarytokens-when

## The token's type in words. $type: Canarytokens' token_type ("aws_keys"); $raw: that type
## with spaces for underscores, for a type not listed here.
canarytokens-type = { $type ->
    [aws_keys] AWS API key
    [aws_id] AWS API key
    [web] web bug
    [dns] DNS
    [ms_word] Word document
    [ms_excel] Excel document
    [adobe_pdf] PDF document
    [pdf] PDF document
    [clonedsite] cloned website
    [cssclonedsite] cloned website
    [qr_code] QR code
    [slow_redirect] redirect
    [fast_redirect] redirect
    [sql_server] SQL Server
    [my_sql] MySQL dump
    [mysql] MySQL dump
    [windows_dir] Windows folder
    [windows_fake_fs] Windows folder
    [kubeconfig] kubeconfig
    [wireguard] WireGuard VPN
    [cc] credit card
    [credit_card_v2] credit card
    [smtp] email address
    [azure_id] Azure login certificate
    [slack_api] Slack API key
    [signed_exe] signed executable
    [web_image] web image
    [cmd] sensitive command
    [svn] SVN
    [log4shell] Log4Shell
    [pwa] fake app
   *[other] { $raw }
}

## Titles.
canarytokens-title-exposed = { $memo ->
    [none] Canarytoken found published
   *[other] Canarytoken found published: { $memo }
}
canarytokens-title-tripped = { $memo ->
    [none] Canarytoken tripped
   *[other] Canarytoken tripped: { $memo }
}

## Summaries.
# $type: canarytokens-type, or "none".
canarytokens-what = { $type ->
    [none] Your canarytoken
   *[other] Your { $type } canarytoken
}
# $day: the day it happened; $clock: "13:24:05" (UTC).
canarytokens-when = on { $day } at { $clock } UTC
# $what: canarytokens-what; $place: where it was found (a URL), or "none".
canarytokens-summary-exposed = { $what } was found published{ $place ->
        [none] {""}
       *[other] {" "}at { $place }
    }{ $when ->
        [none] {""}
       *[other] {" "}{ $when }
    }; nobody has used it yet.
# How it was tripped, one fact each; joined with ", ".
# $ip: the source IP address; $geo: city, region, country, network joined with ", ", or "none";
# $tor: "yes" when the address is a Tor exit node, else "no".
canarytokens-fact-from = from { $ip }{ $geo ->
        [none] {""}
       *[other] {" "}({ $geo })
    }{ $tor ->
        [yes] , a Tor exit node
       *[no] {""}
    }
# $channel: how the token was reached ("HTTP", "DNS").
canarytokens-fact-channel = over { $channel }
# $agent: the caller's user agent, cut to fit, in quotation marks.
canarytokens-fact-agent = with user agent { $agent }
# $calls: the AWS API calls, joined with ", ".
canarytokens-fact-calls = calling { $calls }
# $facts: the facts above joined with ", ", or "none".
canarytokens-summary-tripped = { $what } was tripped{ $when ->
        [none] {""}
       *[other] {" "}{ $when }
    }{ $facts ->
        [none] {""}
       *[other] : { $facts }
    }.

## Recommendations.
canarytokens-advice-exposed = Find where the token was published and remove it{ $memo ->
        [none] {""}
       *[other] {" "}(your memo: { $memo })
    }; a published canary key only tells you it leaked from where you planted it, so check how it got out. Expect it to be tripped by scanners soon.
# $aws: "yes" for an AWS key token, else "no".
canarytokens-advice-tripped = Nobody legitimate touches a canarytoken, so someone reached the place you planted it{ $memo ->
        [none] {""}
       *[other] {" "}(your memo: { $memo })
    }. Treat that place as compromised: find who had access, { $aws ->
        [yes] rotate the real credentials kept beside the fake AWS keys,
       *[no] rotate credentials kept there,
    } and look for the source IP address in your logs. Manage or disable the token from its manage page in Canarytokens.
