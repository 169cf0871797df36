settings-nav = Indstillinger
settings-title = Indstillinger
settings-unit-title = Indstillinger for { $unit }
settings-intro = Disse indstillinger gælder hele kommunen. En enhed kan skærpe dem, aldrig lempe dem.
settings-unit-intro = En enhed kan kun skærpe de nedarvede indstillinger. Lad et felt stå tomt for at arve.
settings-section-password = Adgangskoder
settings-section-signin = Login og sessioner
settings-section-retention = Opbevaring af revisionsloggen
settings-section-locale = Sprog og tid
settings-preset = Forvalg for adgangskoderegler
settings-preset-keep = Behold værdierne nedenfor
settings-preset-modern = Moderne: lange adgangskoder, ingen tvungne skift
settings-preset-length_and_history = Længde og historik, skift hver 180. dag
settings-preset-classes_without_nordic_letters = Tre tegnklasser, ikke æ, ø, å
settings-preset-strict = Streng: den strengeste kombination af reglerne
settings-preset-hint = Et forvalg erstatter alle adgangskodereglerne nedenfor med sine værdier.
settings-class-lower = små bogstaver
settings-class-upper = store bogstaver
settings-class-digit = cifre
settings-class-special = specialtegn
settings-inherited = Nedarvet: { $value }
settings-none = ingen
settings-never = aldrig
settings-yes = ja
settings-no = nej
settings-save = Gem indstillingerne
settings-saved = Indstillingerne er gemt.
settings-units = Indstillinger for enheder
settings-units-hint = Vælg en enhed for at skærpe indstillingerne der.
settings-overrides = { $count ->
    [0] ingen egne indstillinger
    [one] én egen indstilling
   *[other] { $count } egne indstillinger
}
settings-err-looser = »{ $setting }« kan kun gøres strengere end den nedarvede værdi ({ $inherited }).
settings-err-out-of-range = »{ $setting }« skal ligge mellem { $min } og { $max }.
settings-err-empty = »{ $setting }« må ikke være tom.
settings-err-not-enabled = Standardsproget skal være et af de sprog, man kan vælge.
settings-err-bad-time-zone = »{ $setting }« er ikke en kendt tidszone (for eksempel Europe/Copenhagen).
settings-err-not-a-number = »{ $setting }« skal være et heltal.
settings-err-invalid = »{ $setting }« har en værdi, der ikke er tilladt.
