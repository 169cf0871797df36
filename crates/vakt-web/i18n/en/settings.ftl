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
setting-password-min-length = Minimum password length
setting-password-max-length = Maximum password length
setting-password-required-classes = Character classes every password must contain
setting-password-min-classes = At least this many different character classes (0 = no rule)
setting-password-forbidden-chars = Characters a password may not contain
setting-password-reject-personal-info = Reject passwords containing the person's name, initials or birth date
setting-password-reject-common = Reject the 10,000 most common passwords
setting-password-history = Reject the last N passwords (0 = no rule)
setting-password-max-age-days = Passwords expire after this many days (empty = never)
setting-password-lockout-max-failures = Lock an account after this many failed sign-ins
setting-password-lockout-lock-minutes = Keep it locked for this many minutes
setting-require-totp = Require two-factor sign-in (authenticator app)
setting-session-idle-minutes = Sign out after this many idle minutes
setting-session-absolute-minutes = Sign out at the latest after this many minutes
setting-audit-retention-usage-days = Keep usage events for this many days
setting-audit-retention-monitoring-days = Keep monitoring events for this many days
setting-audit-retention-security-days = Keep security events for this many days
setting-languages = Languages people may choose
setting-default-language = Default language
setting-time-zone = Time zone
settings-err-looser = “{ $setting }” may only be made stricter than the inherited value ({ $inherited }).
settings-err-out-of-range = “{ $setting }” must be between { $min } and { $max }.
settings-err-empty = “{ $setting }” must not be empty.
settings-err-not-enabled = The default language must be one of the languages people may choose.
settings-err-bad-time-zone = “{ $setting }” is not a known time zone (for example Europe/Oslo).
settings-err-not-a-number = “{ $setting }” must be a whole number.
settings-err-invalid = “{ $setting }” has a value that is not allowed.
