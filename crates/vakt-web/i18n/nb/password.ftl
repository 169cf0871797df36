# Passordregler: én melding per regelkode i vakt_core::auth::PasswordViolation.

password-too-short = Passordet må ha minst { $min } tegn.
password-too-long = Passordet kan ha høyst { $max } tegn.
password-missing-class = Passordet må inneholde { $class ->
        [lower] en liten bokstav
        [upper] en stor bokstav
        [digit] et siffer
       *[special] et spesialtegn (for eksempel ! ? # eller mellomrom)
    }.
password-too-few-classes = Passordet må blande minst { $min } av disse: små bokstaver, store bokstaver, sifre, spesialtegn.
password-forbidden-char = Passordet kan ikke inneholde tegnet «{ $char }».
password-contains-name = Passordet kan ikke inneholde navnet ditt.
password-contains-initials = Passordet kan ikke inneholde initialene dine.
password-contains-username = Passordet kan ikke inneholde brukernavnet ditt.
password-contains-birth-date = Passordet kan ikke inneholde fødselsdatoen din.
password-common = Dette er et av de vanligste passordene og lett å gjette. Velg et annet.
password-reused = Du har brukt dette passordet nylig. Velg et som er forskjellig fra { $n ->
        [one] det forrige
       *[other] de { $n } forrige
    }.
