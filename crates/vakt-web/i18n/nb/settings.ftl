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
setting-password-min-length = Minste passordlengde
setting-password-max-length = Største passordlengde
setting-password-required-classes = Tegnklasser alle passord må inneholde
setting-password-min-classes = Minst så mange ulike tegnklasser (0 = ingen regel)
setting-password-forbidden-chars = Tegn et passord ikke kan inneholde
setting-password-reject-personal-info = Avvis passord som inneholder personens navn, initialer eller fødselsdato
setting-password-reject-common = Avvis de 10 000 vanligste passordene
setting-password-history = Avvis de siste N passordene (0 = ingen regel)
setting-password-max-age-days = Passord utløper etter så mange dager (tomt = aldri)
setting-password-lockout-max-failures = Sperr en konto etter så mange mislykkede innlogginger
setting-password-lockout-lock-minutes = Hold den sperret i så mange minutter
setting-require-totp = Krev tofaktorinnlogging (autentiseringsapp)
setting-session-idle-minutes = Logg ut etter så mange minutter uten aktivitet
setting-session-absolute-minutes = Logg ut senest etter så mange minutter
setting-audit-retention-usage-days = Behold brukshendelser i så mange dager
setting-audit-retention-monitoring-days = Behold overvåkingshendelser i så mange dager
setting-audit-retention-security-days = Behold sikkerhetshendelser i så mange dager
setting-languages = Språk folk kan velge
setting-default-language = Standardspråk
setting-time-zone = Tidssone
settings-err-looser = «{ $setting }» kan bare gjøres strengere enn den arvede verdien ({ $inherited }).
settings-err-out-of-range = «{ $setting }» må være mellom { $min } og { $max }.
settings-err-empty = «{ $setting }» kan ikke være tom.
settings-err-not-enabled = Standardspråket må være ett av språkene folk kan velge.
settings-err-bad-time-zone = «{ $setting }» er ikke en kjent tidssone (for eksempel Europe/Oslo).
settings-err-not-a-number = «{ $setting }» må være et heltall.
settings-err-invalid = «{ $setting }» har en verdi som ikke er tillatt.
