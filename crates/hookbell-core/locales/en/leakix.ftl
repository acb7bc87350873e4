### LeakIX (src/providers/leakix.rs): a leak or an open service LeakIX found. Arguments used by
### many messages:
###   $place  "host:port" (or leakix-unknown-host)
###   $name   a data store's product name ("MongoDB")
###   $db     "yes" when that store is a database, "no" for another service
###   $file   an exposed file or page in words: leakix-file
###   $port   the port number as text ("27017"), or "none"

leakix-unknown-host = an unknown host

## An exposed file or page. $kind: what LeakIX's plugin looked at.
leakix-file = { $kind ->
    [dsstore] .DS_Store file
    [phpinfo] phpinfo() page
    [apachestatus] Apache server-status page
    [configjson] config.json file
   *[telescope] Laravel Telescope dashboard
}

## Titles. $what: the software and protocol ("nginx, https") or "none"; $type: LeakIX's leak
## type or "none".
leakix-title-service = { $what ->
    [none] Open service on { $place }
   *[other] Service found on { $place }: { $what }
}
leakix-title-ransom-note-store = Ransom note in { $name } { $db ->
        [yes] database
       *[no] service
    } on { $place }
leakix-title-ransom-note = Ransom note found on { $place }
leakix-title-infected-store = { $name } { $db ->
        [yes] database
       *[no] service
    } on { $place } hit by ransomware
leakix-title-infected = Ransomware infection on { $place }
leakix-title-dotenv = Exposed .env configuration on { $place }
leakix-title-git = Exposed Git configuration on { $place }
leakix-title-file = Exposed { $file } on { $place }
leakix-title-weak = Weak credentials for { $name } { $db ->
        [yes] database
       *[no] service
    } on { $place }
leakix-title-store = Open { $name } { $db ->
        [yes] database
       *[no] service
    } on { $place }
leakix-title-leak = { $type ->
    [none] Data leak on { $place }
   *[other] Data leak ({ $type }) on { $place }
}
# $title: one of the above; $source: LeakIX's plugin ("DotEnvConfigPlugin").
leakix-title-source = { $title } ({ $source })

## What was found, for leakix-summary. $what: the software and protocol ("nginx (https)") or
## "none"; $type: LeakIX's leak type or "none".
leakix-found-service = { $what ->
    [none] an open service
   *[other] { $what } running
}
leakix-found-dotenv = an exposed .env configuration
leakix-found-git = an exposed Git configuration
leakix-found-file = an exposed { $file }
leakix-found-weak = a { $name } { $db ->
        [yes] database
       *[no] service
    } that accepts weak credentials
leakix-found-store = an open { $name } { $db ->
        [yes] database
       *[no] service
    }
leakix-found-leak = { $type ->
    [none] a data leak
   *[other] a data leak ({ $type })
}

## Summary, sentence by sentence.
# $source: LeakIX's plugin, or "none"; $what: one of leakix-found-…; $url: the address of what
# leaked, or "none"; $aside: the IP address, organization and country joined with ", ", or
# "none".
leakix-summary = LeakIX{ $source ->
        [none] {""}
       *[other] {" "}({ $source })
    } found { $what } { $url ->
        [none] on { $place }
       *[other] at { $url }
    }{ $aside ->
        [none] {""}
       *[other] {" "}({ $aside })
    }.
# $count: how many ransom notes.
leakix-state-ransom-notes = { $count ->
    [one] A ransom note was left there
   *[other] { $count } ransom notes were left there
}: the data has likely been wiped or stolen.
leakix-state-infected = LeakIX reports a ransomware infection: the data has likely been wiped or stolen.
# How far LeakIX got. $stage: LeakIX's stage (open, explore or exfiltrate).
leakix-stage = { $stage ->
    [open] It is reachable from the internet
    [explore] LeakIX could list its contents
   *[exfiltrate] LeakIX could read data from it
}
# $count: a count.
leakix-rows = { $count ->
    [one] { $count } row
   *[other] { $count } rows
}
leakix-files = { $count ->
    [one] { $count } file
   *[other] { $count } files
}
leakix-collections = { $count ->
    [one] { $count } collection
   *[other] { $count } collections
}
# A size. $size: the number; $unit: B, KiB, MiB, GiB, TiB or PiB.
leakix-size = { $size } { $unit }
# $count: how many ransom notes.
leakix-state-notes = { $count ->
    [one] LeakIX also recorded a ransom note.
   *[other] LeakIX also recorded { $count } ransom notes.
}
# $stage: leakix-stage or "none"; $counts: the counts above joined with ", ", or "none";
# $notes: leakix-state-notes or "none". Not both $stage and $counts are "none".
leakix-state = { $stage ->
        [none] Exposed: { $counts }
       *[other] { $stage }{ $counts ->
            [none] {""}
           *[other] {" "}({ $counts })
        }
    }{ $notes ->
        [none] .
       *[other] ; { $notes }
    }
# A captured credential. $kind: password, key or another name.
leakix-credential = { $kind ->
    [password] password
    [key] key
   *[other] raw credentials
}
# $user: the user name or "none"; $names: leakix-credential words joined with ", ".
leakix-access-captured = { $user ->
    [none] Credentials were captured ({ $names }); they are shown masked.
   *[other] Credentials of the user { $user } were captured ({ $names }); they are shown masked.
}
leakix-access-open = No authentication is required.
# $count: how many secrets were masked; $list: up to four of their names joined with ", ".
leakix-content = { $count ->
    [one] The leaked content holds a secret ({ $list }); it is shown masked.
   *[other] The leaked content holds { $count } secrets ({ $list }); they are shown masked.
}

## Recommendation. $url: the address of what leaked, or $place.
leakix-port = { $port ->
    [none] the port
   *[other] port { $port }
}
# $port here and below: leakix-port.
leakix-advice-ransomed = Treat the data on { $place } as breached: take the service offline, restore it from a clean backup, require authentication and firewall { $port } before reopening it, do not pay the ransom, and report the incident (to your data-protection authority within 72 hours if personal data was involved).
# $web: "yes" when the file is served on a web port (80, 443, …), else "no".
leakix-advice-dotenv = Rotate every key, password and token in the .env file served at { $url } (database, mail, cloud and API credentials alike){ $web ->
        [yes] , and remove the file from the web root or deny access to it.
       *[no] , remove the file from the web root or deny access to it, and close { $port } if it need not be public.
    }
leakix-advice-git = Deny access to the .git directory on { $place } (or remove it from the web root) and rotate every credential ever committed to that repository: its whole history can be downloaded.
leakix-advice-file = Remove the { $file } at { $url } from public access and rotate any credentials or keys it reveals.
# $user: the user name or "none".
leakix-advice-weak = Replace the weak credentials { $user ->
        [none] {""}
       *[other] of { $user }{" "}
    }on { $name } at { $place } with strong, unique ones at once (and wherever they were reused), restrict { $port } to trusted hosts with a firewall, and check its logs and data for access by strangers.
leakix-advice-store = Require authentication on { $name } at { $place }, bind it to a private address or restrict { $port } to trusted hosts with a firewall, and check its logs and data for access by strangers.
leakix-advice-leak = Check what { $place } exposes (see the LeakIX report), remove it from public access or put it behind authentication, restrict { $port } to those who need it, and rotate any credentials it revealed.
# $what: the software and protocol ("nginx (https)") or "none".
leakix-advice-service = Make sure { $what ->
        [none] the service
       *[other] { $what }
    } on { $place } is meant to be reachable from the internet; if not, close { $port } or restrict it to trusted addresses. Keep it updated and protected by authentication.
leakix-advice-ransom-notes = Check whether the ransom notes LeakIX recorded mean that data was deleted or copied; if so, treat it as a breach: restore from a clean backup and report it.
# $user: the user name or "none".
leakix-advice-credentials = { $user ->
    [none] Change the captured credentials at once, everywhere they were reused.
   *[other] Change the captured credentials of { $user } at once, everywhere they were reused.
}
