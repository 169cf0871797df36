# Politikindstillinger (vakt_core::settings), adgangskodeprofiler og afviste handlinger (vakt_core::authz).
# Navne på indstillinger: "setting-" + indstillingens kode med punktum og understregning som bindestreg.

setting-password-min-length = Mindste længde på adgangskode
setting-password-max-length = Største længde på adgangskode
setting-password-required-classes = Påkrævede tegntyper
setting-password-min-classes = Mindste antal tegntyper
setting-password-forbidden-chars = Forbudte tegn
setting-password-reject-personal-info = Afvis navn, initialer, brugernavn og fødselsdato
setting-password-reject-common = Afvis de mest almindelige adgangskoder
setting-password-history = Tidligere adgangskoder, der ikke må genbruges
setting-password-max-age-days = Adgangskoden udløber efter (dage)
setting-password-lockout-max-failures = Fejlede forsøg før kontoen spærres
setting-password-lockout-lock-minutes = Spærretid (minutter)
setting-require-totp = Kræv tofaktorlogin (TOTP)
setting-session-idle-minutes = Log ud efter inaktivitet (minutter)
setting-session-absolute-minutes = Længste session (minutter)
setting-audit-retention-usage-days = Gem brugslogs (dage)
setting-audit-retention-monitoring-days = Gem overvågningslogs (dage)
setting-audit-retention-security-days = Gem sikkerhedslogs (dage)
setting-languages = Tilgængelige sprog
setting-default-language = Standardsprog
setting-time-zone = Tidszone

setting-direction-increase = En enhed må kun hæve denne værdi.
setting-direction-decrease = En enhed må kun sænke denne værdi.
setting-direction-set-or-decrease = En enhed må kun indføre eller forkorte denne grænse.
setting-direction-turn-on = En enhed må kun slå dette til.
setting-direction-grow = En enhed må kun tilføje til denne liste.
setting-direction-tenant-only = Dette kan kun indstilles for hele kommunen.

setting-error-looser = »{ $setting }« ville blive mindre streng end for enheden ovenover. En enhed må kun skærpe reglerne.
setting-error-out-of-range = »{ $setting }« skal være mellem { $min } og { $max }.
setting-error-empty = »{ $setting }« må ikke være tom.
setting-error-duplicate = »{ $setting }« indeholder den samme værdi to gange.
setting-error-not-enabled = Standardsproget skal være et af de tilgængelige sprog.
setting-error-bad-time-zone = »{ $setting }« skal være navnet på en tidszone, for eksempel Europe/Copenhagen.

char-class-lower = små bogstaver
char-class-upper = store bogstaver
char-class-digit = tal
char-class-special = specialtegn

password-preset-modern = Moderne (anbefalet): mindst 12 tegn, ingen krav til sammensætning
password-preset-length-and-history = Længde og historik: mindst 8 tegn, ingen genbrug af de 10 seneste, skift hver 180. dag
password-preset-classes-without-nordic-letters = Tegntyper: mindst 8 tegn med små og store bogstaver og tal, uden æ, ø og å
password-preset-strict = Streng: mindst 10 tegn, tre tegntyper, uden æ, ø og å, skift hver 90. dag

denied-other-tenant = Dette tilhører en anden organisation.
denied-not-host-admin = Kun driftsleverandøren af denne installation må gøre dette.
denied-not-owner = Dette tilhører en anden bruger.
denied-auditor-read-only = Som revisor kan du læse, men ikke ændre noget.
denied-outside-led-units = Dette ligger uden for de enheder, du er leder for.
denied-missing-role = Din rolle giver ikke adgang til dette.
