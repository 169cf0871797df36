settings-nav = Inställningar
settings-title = Inställningar
settings-unit-title = Inställningar för { $unit }
settings-intro = Dessa inställningar gäller hela kommunen. En enhet kan skärpa dem, aldrig mildra dem.
settings-unit-intro = En enhet kan bara skärpa de ärvda inställningarna. Lämna ett fält tomt för att ärva.
settings-section-password = Lösenord
settings-section-signin = Inloggning och sessioner
settings-section-retention = Lagring av granskningsloggen
settings-section-locale = Språk och tid
settings-preset = Förval för lösenordsregler
settings-preset-keep = Behåll värdena nedan
settings-preset-modern = Modern: långa lösenord, inga tvingade byten
settings-preset-length_and_history = Längd och historik, byte var 180:e dag
settings-preset-classes_without_nordic_letters = Tre teckenklasser, inte æ, ø, å
settings-preset-strict = Strikt: den strängaste kombinationen av reglerna
settings-preset-hint = Ett förval ersätter alla lösenordsregler nedan med sina värden.
settings-class-lower = små bokstäver
settings-class-upper = stora bokstäver
settings-class-digit = siffror
settings-class-special = specialtecken
settings-inherited = Ärvt: { $value }
settings-none = inga
settings-never = aldrig
settings-yes = ja
settings-no = nej
settings-save = Spara inställningarna
settings-saved = Inställningarna har sparats.
settings-units = Inställningar för enheter
settings-units-hint = Välj en enhet för att skärpa inställningarna där.
settings-overrides = { $count ->
    [0] inga egna inställningar
    [one] en egen inställning
   *[other] { $count } egna inställningar
}
setting-password-min-length = Minsta lösenordslängd
setting-password-max-length = Största lösenordslängd
setting-password-required-classes = Teckenklasser som alla lösenord måste innehålla
setting-password-min-classes = Minst så många olika teckenklasser (0 = ingen regel)
setting-password-forbidden-chars = Tecken som ett lösenord inte får innehålla
setting-password-reject-personal-info = Avvisa lösenord som innehåller personens namn, initialer eller födelsedatum
setting-password-reject-common = Avvisa de 10 000 vanligaste lösenorden
setting-password-history = Avvisa de senaste N lösenorden (0 = ingen regel)
setting-password-max-age-days = Lösenord går ut efter så många dagar (tomt = aldrig)
setting-password-lockout-max-failures = Spärra ett konto efter så många misslyckade inloggningar
setting-password-lockout-lock-minutes = Håll det spärrat i så många minuter
setting-require-totp = Kräv tvåfaktorsinloggning (autentiseringsapp)
setting-session-idle-minutes = Logga ut efter så många minuter utan aktivitet
setting-session-absolute-minutes = Logga ut senast efter så många minuter
setting-audit-retention-usage-days = Spara användningshändelser i så många dagar
setting-audit-retention-monitoring-days = Spara övervakningshändelser i så många dagar
setting-audit-retention-security-days = Spara säkerhetshändelser i så många dagar
setting-languages = Språk som man kan välja
setting-default-language = Standardspråk
setting-time-zone = Tidszon
settings-err-looser = ”{ $setting }” kan bara göras strängare än det ärvda värdet ({ $inherited }).
settings-err-out-of-range = ”{ $setting }” måste ligga mellan { $min } och { $max }.
settings-err-empty = ”{ $setting }” får inte vara tomt.
settings-err-not-enabled = Standardspråket måste vara ett av de språk som man kan välja.
settings-err-bad-time-zone = ”{ $setting }” är inte en känd tidszon (till exempel Europe/Stockholm).
settings-err-not-a-number = ”{ $setting }” måste vara ett heltal.
settings-err-invalid = ”{ $setting }” har ett värde som inte är tillåtet.
