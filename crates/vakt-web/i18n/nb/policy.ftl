# Policyinnstillinger (vakt_core::settings), passordprofiler og avviste tilganger (vakt_core::authz).
# Navn på innstillinger: "setting-" + innstillingens kode med punktum og understrek som bindestrek.

setting-password-min-length = Minste passordlengde
setting-password-max-length = Største passordlengde
setting-password-required-classes = Påkrevde tegntyper
setting-password-min-classes = Minste antall tegntyper
setting-password-forbidden-chars = Forbudte tegn
setting-password-reject-personal-info = Avvis navn, initialer, brukernavn og fødselsdato
setting-password-reject-common = Avvis de vanligste passordene
setting-password-history = Tidligere passord som ikke kan brukes igjen
setting-password-max-age-days = Passordet utløper etter (dager)
setting-password-lockout-max-failures = Feilforsøk før kontoen sperres
setting-password-lockout-lock-minutes = Sperretid (minutter)
setting-require-totp = Krev tofaktorpålogging (TOTP)
setting-session-idle-minutes = Logg ut etter inaktivitet (minutter)
setting-session-absolute-minutes = Lengste økt (minutter)
setting-audit-retention-usage-days = Oppbevar brukslogger (dager)
setting-audit-retention-monitoring-days = Oppbevar overvåkingslogger (dager)
setting-audit-retention-security-days = Oppbevar sikkerhetslogger (dager)
setting-languages = Tilgjengelige språk
setting-default-language = Standardspråk
setting-time-zone = Tidssone

setting-direction-increase = En enhet kan bare øke denne verdien.
setting-direction-decrease = En enhet kan bare senke denne verdien.
setting-direction-set-or-decrease = En enhet kan bare innføre eller korte ned denne grensen.
setting-direction-turn-on = En enhet kan bare slå dette på.
setting-direction-grow = En enhet kan bare legge til i denne listen.
setting-direction-tenant-only = Dette kan bare settes for hele kommunen.

setting-error-looser = «{ $setting }» ville blitt mindre streng enn for enheten over. En enhet kan bare gjøre reglene strengere.
setting-error-out-of-range = «{ $setting }» må være mellom { $min } og { $max }.
setting-error-empty = «{ $setting }» kan ikke være tom.
setting-error-duplicate = «{ $setting }» inneholder samme verdi to ganger.
setting-error-not-enabled = Standardspråket må være ett av de tilgjengelige språkene.
setting-error-bad-time-zone = «{ $setting }» må være navnet på en tidssone, for eksempel Europe/Oslo.

char-class-lower = små bokstaver
char-class-upper = store bokstaver
char-class-digit = sifre
char-class-special = spesialtegn

password-preset-modern = Moderne (anbefalt): minst 12 tegn, ingen krav til sammensetning
password-preset-length-and-history = Lengde og historikk: minst 8 tegn, ingen gjenbruk av de 10 siste, bytte hver 180. dag
password-preset-classes-without-nordic-letters = Tegntyper: minst 8 tegn med små og store bokstaver og sifre, uten æ, ø og å
password-preset-strict = Streng: minst 10 tegn, tre tegntyper, uten æ, ø og å, bytte hver 90. dag

denied-other-tenant = Dette tilhører en annen virksomhet.
denied-not-host-admin = Bare driftsleverandøren av denne installasjonen kan gjøre dette.
denied-not-owner = Dette tilhører en annen bruker.
denied-auditor-read-only = Som revisor kan du lese, men ikke endre noe.
denied-outside-led-units = Dette ligger utenfor enhetene du leder.
denied-missing-role = Rollen din gir ikke tilgang til dette.
