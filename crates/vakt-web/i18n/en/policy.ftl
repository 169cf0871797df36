# Policy settings (vakt_core::settings), password presets and authorization refusals (vakt_core::authz).
# Setting labels: "setting-" + the setting's code with dots and underscores as dashes.

setting-password-min-length = Minimum password length
setting-password-max-length = Maximum password length
setting-password-required-classes = Required character types
setting-password-min-classes = Minimum number of character types
setting-password-forbidden-chars = Forbidden characters
setting-password-reject-personal-info = Reject name, initials, user name and date of birth
setting-password-reject-common = Reject the most common passwords
setting-password-history = Earlier passwords that may not be reused
setting-password-max-age-days = Password expires after (days)
setting-password-lockout-max-failures = Failed attempts before lockout
setting-password-lockout-lock-minutes = Lockout duration (minutes)
setting-require-totp = Require two-factor sign-in (TOTP)
setting-session-idle-minutes = Sign out after inactivity (minutes)
setting-session-absolute-minutes = Maximum session length (minutes)
setting-audit-retention-usage-days = Keep usage logs (days)
setting-audit-retention-monitoring-days = Keep monitoring logs (days)
setting-audit-retention-security-days = Keep security logs (days)
setting-languages = Available languages
setting-default-language = Default language
setting-time-zone = Time zone

setting-direction-increase = A unit may only raise this value.
setting-direction-decrease = A unit may only lower this value.
setting-direction-set-or-decrease = A unit may only set or shorten this limit.
setting-direction-turn-on = A unit may only switch this on.
setting-direction-grow = A unit may only add to this list.
setting-direction-tenant-only = Only the whole municipality can set this.

setting-error-looser = «{ $setting }» would be less strict than for the unit above. A unit may only make rules stricter.
setting-error-out-of-range = «{ $setting }» must be between { $min } and { $max }.
setting-error-empty = «{ $setting }» cannot be empty.
setting-error-duplicate = «{ $setting }» lists the same value twice.
setting-error-not-enabled = The default language must be one of the available languages.
setting-error-bad-time-zone = «{ $setting }» must be a time zone name such as Europe/Oslo.

char-class-lower = lower-case letters
char-class-upper = upper-case letters
char-class-digit = digits
char-class-special = special characters

password-preset-modern = Modern (recommended): at least 12 characters, no composition rules
password-preset-length-and-history = Length and history: at least 8 characters, no reuse of the last 10, change every 180 days
password-preset-classes-without-nordic-letters = Character types: at least 8 characters with lower-case, upper-case and digits, without æ, ø and å
password-preset-strict = Strict: at least 10 characters, three character types, without æ, ø and å, change every 90 days

denied-other-tenant = This belongs to another organisation.
denied-not-host-admin = Only the operator of this installation may do this.
denied-not-owner = This belongs to another user.
denied-auditor-read-only = As an auditor you can read, but not change anything.
denied-outside-led-units = This is outside the units you lead.
denied-missing-role = Your role does not allow this.
