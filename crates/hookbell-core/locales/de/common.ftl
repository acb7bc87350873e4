### Gemeinsame Texte aller Provider (siehe docs/providers.md, "Writing a provider's text").
### Zahlen und Tage als Argumente schreibt Hookbell in der Sprache dieser Datei.

# Ein Name in Anführungszeichen. $text: der Name.
quoted = „{ $text }“

# Eine UTC-Zeit auf die Minute. $day: der Tag ("30. Januar 2014"); $time: "13:24".
date-time = { $day } um { $time } UTC

# Die letzten zwei Glieder einer Aufzählung ("A, B und C": die übrigen mit ", " verbunden).
list-and = { $first } und { $last }

# Ein Schweregrad als Wort im Satz. $severity: info, low, medium, high oder critical.
severity = { $severity ->
    [info] Info
    [low] niedrig
    [medium] mittel
    [high] hoch
   *[critical] kritisch
}
