# enzoic: the English prose (messages move here from enzoic.rs; see docs/providers.md, "Writing a provider's text").
### Enzoic (src/providers/enzoic.rs): breach, identity (PII) and card (BIN) alerts.
### Arguments used by many messages:
###   $user     the monitored account's name, or "none"
###   $found    the day Enzoic found it, or "none"

## Breach alerts. $exposed: plaintext, hash or account; $breach: the breach's name in
## quotation marks, or "none"; $algorithm: the hash algorithm's name when it says something, or "none".
enzoic-breach-in = { $breach ->
    [none] a data breach
   *[other] the { $breach } breach
}
enzoic-breach-who = { $user ->
    [none] a monitored account
   *[other] { $user }
}
enzoic-breach-title = { $exposed ->
    [plaintext] Password for { enzoic-breach-who } exposed in { enzoic-breach-in }
    [hash] Password hash for { enzoic-breach-who } exposed in { enzoic-breach-in }
   *[account] { $user ->
        [none] Monitored account
       *[other] { $user }
    } found in { enzoic-breach-in }
}
enzoic-breach-found = Enzoic found { $exposed ->
    [plaintext] the plaintext password of { enzoic-breach-who }
    [hash] { $algorithm ->
        [none] the password hash of { enzoic-breach-who }
       *[other] the password hash ({ $algorithm }) of { enzoic-breach-who }
    }
   *[account] { enzoic-breach-who }
} in { enzoic-breach-in }{ $found ->
    [none] .
   *[other] {" "}on { $found }.
}
# $entries: how many records the breach holds; $source: where it comes from, or "none".
enzoic-breach-records = { $source ->
    [none] It holds { $entries } { $entries ->
        [one] record
       *[other] records
    }
   *[other] It holds { $entries } { $entries ->
        [one] record
       *[other] records
    } from { $source }
}
# $source: where the breach comes from.
enzoic-breach-source = It comes from { $source }
# $facts: one of the two above, or "none"; $data: the kinds of data exposed, as Enzoic names them.
enzoic-breach-data = { $facts ->
    [none] Exposed data: { $data }
   *[other] { $facts }; exposed data: { $data }
}
# $head: enzoic-breach-found; $facts: one of the three above, or "none".
enzoic-breach-summary = { $head }{ $facts ->
    [none] {""}
   *[other] {" "}{ $facts }.
}

## Breach recommendations.
enzoic-of-user = { $user ->
    [none] {""}
   *[other] {" "}of { $user }
}
enzoic-advice-plaintext = The password was exposed in plaintext, so anyone can sign in with it: change the password{ enzoic-of-user } now, replace it on every other service where you used the same or a similar one, and turn on two-factor authentication.
# $slow: "yes" when the algorithm is built to be slow to crack, else "no".
enzoic-advice-hash = { $algorithm ->
    [none] The password was exposed as a hash, which attackers can try to crack offline
   *[other] { $slow ->
        [yes] The password was exposed as a hash ({ $algorithm }). { $algorithm } slows down offline cracking, but weak passwords still fall
       *[no] The password was exposed as a hash ({ $algorithm }), which attackers crack offline quickly, common passwords within minutes
    }
}: change the password{ enzoic-of-user } and everywhere it was reused, and turn on two-factor authentication.
enzoic-advice-passwords-in-breach = The breach also exposed passwords: change the password{ enzoic-of-user } on the affected service and everywhere it was reused, and turn on two-factor authentication.
enzoic-advice-account = Be wary of phishing messages{ $breach ->
    [none] {""}
   *[other] {" "}that refer to { $breach }
}. If you had an account with the affected service, change its password and turn on two-factor authentication.

## Identity (PII) alerts: kinds of personal data.
enzoic-kind-credit-card = credit card
enzoic-kind-card-number = card number
enzoic-kind-government-id = government ID
enzoic-kind-crypto-wallet = crypto wallet
enzoic-kind-email = email address
enzoic-kind-phone = phone number
enzoic-kind-address = address
enzoic-kind-city = city
enzoic-kind-postal-code = postal code
enzoic-kind-province = state/province
enzoic-kind-first-name = first name
enzoic-kind-last-name = last name
enzoic-kind-date-of-birth = date of birth
enzoic-kind-other = other data

# $who: whom the data belongs to, or "none"; $what: the first two kinds, or "none";
# $more: how many kinds are not named.
enzoic-pii-title = { $what ->
    [none] { $who ->
        [none] Identity data found in a leak
       *[other] Identity data of { $who } found in a leak
    }
   *[other] { $who ->
        [none] Identity data exposed: { $what }
       *[other] Identity data of { $who } exposed: { $what }
    }{ $more ->
        [0] {""}
       *[other] {" "}+{ $more } more
    }
}
# $count: how many items matched; $who: whom they belong to, or "none"; $list: up to six
# kinds; $more: how many kinds are not named.
enzoic-pii-summary = { $count ->
    [0] Enzoic reported an identity exposure{ $who ->
        [none] {""}
       *[other] {" "}of { $who }
    }{ $found ->
        [none] {""}
       *[other] {" "}on { $found }
    }, without details of what matched.
   *[other] Enzoic matched { $count } monitored { $count ->
        [one] item
       *[other] items
    }{ $who ->
        [none] {""}
       *[other] {" "}of { $who }
    } in newly found data{ $found ->
        [none] {""}
       *[other] {" "}on { $found }
    }: { $list }{ $more ->
        [0] {""}
       *[other] {" "}and { $more } more
    }.
}
# $count: how many cards; $cards: their masked numbers.
enzoic-advice-cards = Ask your bank to block and replace the { $count ->
    [one] card
   *[other] cards
} { $cards }, and check recent statements for charges you did not make.
# $country: the issuing country, or "none".
enzoic-advice-government-id = Your government ID{ $country ->
    [none] {""}
   *[other] {" "}({ $country })
} is out: watch for identity fraud, consider a credit freeze, and report misuse to the issuing authority.
enzoic-advice-crypto-wallet = Your crypto wallet address is now linked to your identity: expect targeted scams, and consider moving funds to a new address.
enzoic-advice-phishing = Expect phishing emails, calls or texts that use these details, and do not trust a message just because it knows them.
enzoic-advice-pii = Your personal details were found in a leak: be wary of contact that uses them, and watch for misuse of your identity.

## Card (BIN) alerts. $bin: the monitored BIN, or "none"; $card: the masked card number, or "none".
enzoic-bin-title = { $bin ->
    [none] Card from a monitored BIN exposed
   *[other] { $card ->
        [none] Card with monitored BIN { $bin } exposed
       *[other] Card with monitored BIN { $bin } exposed ({ $card })
    }
}
enzoic-bin-summary = Enzoic found { $card ->
    [none] a card number
   *[other] the card number { $card }
} from { $bin ->
    [none] one of your monitored BINs
   *[other] your monitored BIN { $bin }
} in exposed data{ $found ->
    [none] .
   *[other] {" "}on { $found }.
}
enzoic-bin-advice = Block and reissue the card{ $card ->
    [none] {""}
   *[other] {" "}{ $card }
}, watch it for fraudulent transactions, and check whether other cards of this BIN appear in the same source.
