# Adgangskoderegler: én besked pr. regelkode i vakt_core::auth::PasswordViolation.

password-too-short = Adgangskoden skal have mindst { $min } tegn.
password-too-long = Adgangskoden må højst have { $max } tegn.
password-missing-class = Adgangskoden skal indeholde { $class ->
        [lower] et lille bogstav
        [upper] et stort bogstav
        [digit] et tal
       *[special] et specialtegn (for eksempel ! ? # eller mellemrum)
    }.
password-too-few-classes = Adgangskoden skal blande mindst { $min } af disse: små bogstaver, store bogstaver, tal, specialtegn.
password-forbidden-char = Adgangskoden må ikke indeholde tegnet »{ $char }«.
password-contains-name = Adgangskoden må ikke indeholde dit navn.
password-contains-initials = Adgangskoden må ikke indeholde dine initialer.
password-contains-username = Adgangskoden må ikke indeholde dit brugernavn.
password-contains-birth-date = Adgangskoden må ikke indeholde din fødselsdato.
password-common = Dette er en af de mest almindelige adgangskoder og let at gætte. Vælg en anden.
password-reused = Du har brugt denne adgangskode for nylig. Vælg en, der er forskellig fra { $n ->
        [one] den forrige
       *[other] de { $n } seneste
    }.
