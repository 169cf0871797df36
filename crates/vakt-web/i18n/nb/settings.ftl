settings-nav = Innstillinger
settings-title = Innstillinger
settings-unit-title = Innstillinger for { $unit }
settings-intro = Disse innstillingene gjelder hele kommunen. En enhet kan gjøre dem strengere, aldri mildere.
settings-unit-intro = En enhet kan bare gjøre de arvede innstillingene strengere. La et felt stå tomt for å arve.
settings-section-password = Passord
settings-section-signin = Innlogging og økter
settings-section-retention = Oppbevaring av revisjonsloggen
settings-section-locale = Språk og tid
settings-preset = Forhåndsvalg for passordregler
settings-preset-keep = Behold verdiene nedenfor
settings-preset-modern = Moderne: lange passord, ingen tvungne bytter
settings-preset-length_and_history = Lengde og historikk, bytte hver 180. dag
settings-preset-classes_without_nordic_letters = Tre tegnklasser, ikke æ, ø, å
settings-preset-strict = Streng: den strengeste kombinasjonen av reglene
settings-preset-hint = Et forhåndsvalg erstatter alle passordreglene nedenfor med sine verdier.
settings-class-lower = små bokstaver
settings-class-upper = store bokstaver
settings-class-digit = sifre
settings-class-special = spesialtegn
settings-inherited = Arvet: { $value }
settings-none = ingen
settings-never = aldri
settings-yes = ja
settings-no = nei
settings-save = Lagre innstillingene
settings-saved = Innstillingene er lagret.
settings-units = Innstillinger for enheter
settings-units-hint = Velg en enhet for å gjøre innstillingene strengere der.
settings-overrides = { $count ->
    [0] ingen egne innstillinger
    [one] én egen innstilling
   *[other] { $count } egne innstillinger
}
settings-err-looser = «{ $setting }» kan bare gjøres strengere enn den arvede verdien ({ $inherited }).
settings-err-out-of-range = «{ $setting }» må være mellom { $min } og { $max }.
settings-err-empty = «{ $setting }» kan ikke være tom.
settings-err-not-enabled = Standardspråket må være ett av språkene folk kan velge.
settings-err-bad-time-zone = «{ $setting }» er ikke en kjent tidssone (for eksempel Europe/Oslo).
settings-err-not-a-number = «{ $setting }» må være et heltall.
settings-err-invalid = «{ $setting }» har en verdi som ikke er tillatt.
