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
settings-err-looser = ”{ $setting }” kan bara göras strängare än det ärvda värdet ({ $inherited }).
settings-err-out-of-range = ”{ $setting }” måste ligga mellan { $min } och { $max }.
settings-err-empty = ”{ $setting }” får inte vara tomt.
settings-err-not-enabled = Standardspråket måste vara ett av de språk som man kan välja.
settings-err-bad-time-zone = ”{ $setting }” är inte en känd tidszon (till exempel Europe/Stockholm).
settings-err-not-a-number = ”{ $setting }” måste vara ett heltal.
settings-err-invalid = ”{ $setting }” har ett värde som inte är tillåtet.
