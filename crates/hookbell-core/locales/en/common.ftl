### Shared by every provider's text (see docs/providers.md, "Writing a provider's text").
### Numbers and days passed as arguments are written in this file's language by Hookbell.

# A name in quotation marks. $text: the name.
quoted = “{ $text }”

# A UTC time to the minute. $day: the calendar day ("30 January 2014"); $time: "13:24".
date-time = { $day } at { $time } UTC

# The last two items of a list ("A, B and C": the others are joined with ", ").
list-and = { $first } and { $last }

# A severity as a word in a sentence. $severity: info, low, medium, high or critical.
severity = { $severity ->
    [info] info
    [low] low
    [medium] medium
    [high] high
   *[critical] critical
}
