### omniac (src/providers/omniac.rs): data of yours found in a breach or on the public web.
### Arguments used by many messages:
###   $kind     what leaked: password, credit_card, iban, bank_account, passport, nid,
###             driver_license, email, username, network_ip, domain, other; any other value is a
###             name omniac added, then $name is that name in words ("phone number")
###   $surface  "yes" when found on the public web, "no" for a data breach
###   $name     the breach's name, or "none"
###   $spaced   "yes" when the breach's name has spaces, else "no"

## What leaked, as a label. $kind, $name: see above.
omniac-kind = { $kind ->
    [password] Password
    [credit_card] Credit card number
    [iban] IBAN
    [bank_account] Bank account number
    [passport] Passport number
    [nid] National ID number
    [driver_license] Driver's license number
    [email] Email address
    [username] Username
    [network_ip] IP address
    [domain] Domain
    [other] Other data
   *[unknown] { CAPITALIZE($name) }
}
## What leaked, inside a sentence. $kind, $name: see above.
omniac-kind-in-sentence = { $kind ->
    [password] password
    [credit_card] credit card number
    [iban] IBAN
    [bank_account] bank account number
    [passport] passport number
    [nid] national ID number
    [driver_license] driver's license number
    [email] email address
    [username] username
    [network_ip] IP address
    [domain] domain
    [other] other data
   *[unknown] { $name }
}

# The breach with its name (German needs this one). $name, $spaced: see above.
omniac-leak = the { $name } breach

## Title: what leaked (and whose), then where; cut to 100 characters.
omniac-plaintext-password = Plaintext password
omniac-your-data = Your data
# $what: one of the three above; $who: the masked identity, or "none";
# $identity: "yes" when $what is itself the identity ("Email address t***@x.com").
omniac-whose = { $who ->
    [none] { $what }
   *[other] { $identity ->
        [yes] { $what } { $who }
       *[no] { $what } for { $who }
    }
}
# $whose: the above; $surface, $name (cut to 40 characters).
omniac-title = { $surface ->
    [yes] { $name ->
        [none] { $whose } found on the public web
       *[other] { $whose } found on the public web ({ $name })
    }
   *[no] { $name ->
        [none] { $whose } exposed in a data breach
       *[other] { $whose } exposed in { $name } breach
    }
}

## Summary: what was found where, then when, the category and the exposure score.
# Where it was found. $surface, $name, $spaced.
omniac-place = { $surface ->
    [yes] { $name ->
        [none] on the public web
       *[other] on the public web ({ $name })
    }
   *[no] { $name ->
        [none] in a data breach
       *[other] in the { $name } breach
    }
}
# One thing found. $kind, $name (see above); $plaintext: "yes" for a password in plaintext.
omniac-found-kind = { $plaintext ->
    [yes] { omniac-kind-in-sentence } (in plaintext)
   *[no] { omniac-kind-in-sentence }
}
# The exposure score. $score: verylow, low, medium, high, veryhigh, or the score as omniac wrote it.
omniac-score = { $score ->
    [verylow] Very Low
    [low] Low
    [medium] Medium
    [high] High
    [veryhigh] Very High
   *[other] { $score }
}
# $found: the things found in a list ("email address and password"), or "none" when omniac
# could not resolve which; $surface, $name, $spaced: where.
omniac-summary-what = { $found ->
    [none] omniac found data of yours { omniac-place } but could not resolve which values.
   *[other] omniac found your { $found } { omniac-place }.
}
# $category: the breach's category, or "none"; $score: see omniac-score, or "none".
omniac-summary-facts = { $category ->
    [none] exposure score: { omniac-score }
   *[other] { $score ->
        [none] category: { $category }
       *[other] category: { $category }; exposure score: { omniac-score }
    }
}
# $published: the day the data was published, or "none"; $category, $score: as above.
omniac-summary-when = { $published ->
    [none] { $category ->
        [none] { $score ->
            [none] {""}
           *[other] {" "}Exposure score: { omniac-score }.
        }
       *[other] {" "}Category: { $category }{ $score ->
            [none] .
           *[other] ; exposure score: { omniac-score }.
        }
    }
   *[other] { $category ->
        [none] { $score ->
            [none] {" "}Published on { $published }.
           *[other] {" "}Published on { $published } ({ omniac-summary-facts }).
        }
       *[other] {" "}Published on { $published } ({ omniac-summary-facts }).
    }
}
# All of the summary: the arguments of the two messages above.
omniac-summary = { omniac-summary-what }{ omniac-summary-when }

## Filled into omniac's own (German) text when a date or a name is missing.
omniac-unknown-date = (unknown date)
omniac-unknown-name = (unknown)

## Recommendation when omniac sent none: these sentences, one after another.
# $who: the masked identity, or "none"; $plaintext: "yes" when it leaked in plaintext.
omniac-advice-password = { $plaintext ->
    [yes] Your password leaked in plaintext: change it now { $who ->
        [none] for the affected account
       *[other] for { $who }
    } and on every service where you used the same or a similar password, and turn on two-factor authentication.
   *[no] Change your password { $who ->
        [none] for the affected account
       *[other] for { $who }
    } and on every service where you used the same or a similar password, and turn on two-factor authentication.
}
# $card: the masked card number.
omniac-advice-card = Have your bank block the card { $card } and issue a new one, and check your statements for payments you do not recognize.
# $account: the masked IBAN or account number.
omniac-advice-bank = Check the statements of account { $account } for direct debits you did not authorize, have your bank reverse them, and tell your bank about the leak.
# $documents: the identity documents in a list ("passport number and national ID number").
omniac-advice-documents = Your { $documents } leaked: watch for identity theft such as accounts or contracts opened in your name, report the leak to the police and consider replacing the document.
# $service: the breach's name, or "none".
omniac-advice-surface = { $service ->
    [none] Find out where the data was published and ask for it to be taken down.
   *[other] Ask the operator of { $service } to take the published data down.
}
# $service: the breach's name, or "none".
omniac-advice-account = If you have an account { $service ->
    [none] with the affected service
   *[other] with { $service }
}, change its password and every one that is the same or similar, and turn on two-factor authentication.
omniac-advice-phishing = Expect phishing emails that use the leaked details to look genuine.
omniac-advice-look-up = Look up the alert in omniac to see which of your data was affected.
