# Password policy: one message per rule code of vakt_core::auth::PasswordViolation.

password-too-short = The password must be at least { $min } characters long.
password-too-long = The password may be at most { $max } characters long.
password-missing-class = The password must contain { $class ->
        [lower] a lower-case letter
        [upper] an upper-case letter
        [digit] a digit
       *[special] a special character (such as ! ? # or a space)
    }.
password-too-few-classes = The password must mix at least { $min } of these: lower-case letters, upper-case letters, digits, special characters.
password-forbidden-char = The password may not contain the character «{ $char }».
password-contains-name = The password may not contain your name.
password-contains-initials = The password may not contain your initials.
password-contains-username = The password may not contain your user name.
password-contains-birth-date = The password may not contain your date of birth.
password-common = This password is among the most common ones and easy to guess. Choose another.
password-reused = You have used this password recently. Choose one that differs from your last { $n ->
        [one] password
       *[other] { $n } passwords
    }.
