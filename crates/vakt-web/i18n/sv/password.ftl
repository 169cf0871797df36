# Lösenordsregler: ett meddelande per regelkod i vakt_core::auth::PasswordViolation.

password-too-short = Lösenordet måste vara minst { $min } tecken långt.
password-too-long = Lösenordet får vara högst { $max } tecken långt.
password-missing-class = Lösenordet måste innehålla { $class ->
        [lower] en liten bokstav
        [upper] en stor bokstav
        [digit] en siffra
       *[special] ett specialtecken (till exempel ! ? # eller mellanslag)
    }.
password-too-few-classes = Lösenordet måste blanda minst { $min } av följande: små bokstäver, stora bokstäver, siffror, specialtecken.
password-forbidden-char = Lösenordet får inte innehålla tecknet ”{ $char }”.
password-contains-name = Lösenordet får inte innehålla ditt namn.
password-contains-initials = Lösenordet får inte innehålla dina initialer.
password-contains-username = Lösenordet får inte innehålla ditt användarnamn.
password-contains-birth-date = Lösenordet får inte innehålla ditt födelsedatum.
password-common = Det här är ett av de vanligaste lösenorden och lätt att gissa. Välj ett annat.
password-reused = Du har använt det här lösenordet nyligen. Välj ett som skiljer sig från { $n ->
        [one] det förra
       *[other] de { $n } senaste
    }.
