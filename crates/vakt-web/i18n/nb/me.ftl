# «Min side».
me-title = Min side
me-greeting = Hei, { $name }!
me-intro = Her ser du hva Vakt ber deg om, og hva Vakt vet om deg.
me-sign-heading = Instrukser å signere
me-sign-empty = Ingen instrukser venter på din signatur.
me-courses-heading = Kurs
me-courses-empty = Du har ingen kurs å ta.
me-equipment-heading = Utstyr
me-equipment-empty = Det er ikke registrert utstyr på deg.
me-access-heading = Tilganger
me-access-empty = Det er ikke registrert tilganger på deg.
me-reports-heading = Mine meldinger
me-reports-empty = Du har ikke meldt noe.
