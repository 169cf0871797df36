settings-nav = Settings
settings-title = Settings
settings-unit-title = Settings for { $unit }
settings-intro = These settings apply to the whole municipality. A unit may make them stricter, never looser.
settings-unit-intro = A unit may only make the inherited settings stricter. Leave a field empty to inherit.
settings-section-password = Passwords
settings-section-signin = Sign-in and sessions
settings-section-retention = Keeping the audit log
settings-section-locale = Languages and time
settings-preset = Password rules preset
settings-preset-keep = Keep the values below
settings-preset-modern = Modern: long passwords, no forced changes
settings-preset-length_and_history = Length and history, change every 180 days
settings-preset-classes_without_nordic_letters = Three character classes, no æ, ø, å
settings-preset-strict = Strict: the strictest combination of the rules
settings-preset-hint = Choosing a preset replaces every password rule below with the preset's values.
settings-class-lower = lower-case letters
settings-class-upper = upper-case letters
settings-class-digit = digits
settings-class-special = special characters
settings-inherited = Inherited: { $value }
settings-none = none
settings-never = never
settings-yes = yes
settings-no = no
settings-save = Save settings
settings-saved = The settings have been saved.
settings-units = Unit settings
settings-units-hint = Choose a unit to make its settings stricter.
settings-overrides = { $count ->
    [0] no own settings
    [one] one own setting
   *[other] { $count } own settings
}
settings-err-looser = “{ $setting }” may only be made stricter than the inherited value ({ $inherited }).
settings-err-out-of-range = “{ $setting }” must be between { $min } and { $max }.
settings-err-empty = “{ $setting }” must not be empty.
settings-err-not-enabled = The default language must be one of the languages people may choose.
settings-err-bad-time-zone = “{ $setting }” is not a known time zone (for example Europe/Oslo).
settings-err-not-a-number = “{ $setting }” must be a whole number.
settings-err-invalid = “{ $setting }” has a value that is not allowed.
