# Policyinställningar (vakt_core::settings), lösenordsprofiler och nekad behörighet (vakt_core::authz).
# Namn på inställningar: "setting-" + inställningens kod med punkt och understreck som bindestreck.

setting-password-min-length = Minsta lösenordslängd
setting-password-max-length = Största lösenordslängd
setting-password-required-classes = Obligatoriska teckentyper
setting-password-min-classes = Minsta antal teckentyper
setting-password-forbidden-chars = Förbjudna tecken
setting-password-reject-personal-info = Avvisa namn, initialer, användarnamn och födelsedatum
setting-password-reject-common = Avvisa de vanligaste lösenorden
setting-password-history = Tidigare lösenord som inte får återanvändas
setting-password-max-age-days = Lösenordet upphör att gälla efter (dagar)
setting-password-lockout-max-failures = Misslyckade försök innan kontot spärras
setting-password-lockout-lock-minutes = Spärrtid (minuter)
setting-require-totp = Kräv tvåfaktorsinloggning (TOTP)
setting-session-idle-minutes = Logga ut efter inaktivitet (minuter)
setting-session-absolute-minutes = Längsta session (minuter)
setting-audit-retention-usage-days = Spara användningsloggar (dagar)
setting-audit-retention-monitoring-days = Spara övervakningsloggar (dagar)
setting-audit-retention-security-days = Spara säkerhetsloggar (dagar)
setting-languages = Tillgängliga språk
setting-default-language = Standardspråk
setting-time-zone = Tidszon

setting-direction-increase = En enhet får bara höja det här värdet.
setting-direction-decrease = En enhet får bara sänka det här värdet.
setting-direction-set-or-decrease = En enhet får bara införa eller korta den här gränsen.
setting-direction-turn-on = En enhet får bara slå på det här.
setting-direction-grow = En enhet får bara lägga till i den här listan.
setting-direction-tenant-only = Det här kan bara ställas in för hela kommunen.

setting-error-looser = ”{ $setting }” skulle bli mindre strikt än för enheten ovanför. En enhet får bara skärpa reglerna.
setting-error-out-of-range = ”{ $setting }” måste vara mellan { $min } och { $max }.
setting-error-empty = ”{ $setting }” får inte vara tom.
setting-error-duplicate = ”{ $setting }” innehåller samma värde två gånger.
setting-error-not-enabled = Standardspråket måste vara ett av de tillgängliga språken.
setting-error-bad-time-zone = ”{ $setting }” måste vara namnet på en tidszon, till exempel Europe/Stockholm.

char-class-lower = små bokstäver
char-class-upper = stora bokstäver
char-class-digit = siffror
char-class-special = specialtecken

password-preset-modern = Modern (rekommenderas): minst 12 tecken, inga krav på sammansättning
password-preset-length-and-history = Längd och historik: minst 8 tecken, inte något av de 10 senaste, byte var 180:e dag
password-preset-classes-without-nordic-letters = Teckentyper: minst 8 tecken med små och stora bokstäver och siffror, utan æ, ø och å
password-preset-strict = Strikt: minst 10 tecken, tre teckentyper, utan æ, ø och å, byte var 90:e dag

denied-other-tenant = Det här tillhör en annan organisation.
denied-not-host-admin = Bara den som driftar den här installationen får göra det här.
denied-not-owner = Det här tillhör en annan användare.
denied-auditor-read-only = Som granskare kan du läsa men inte ändra något.
denied-outside-led-units = Det här ligger utanför de enheter du är chef för.
denied-missing-role = Din roll ger inte behörighet till det här.
