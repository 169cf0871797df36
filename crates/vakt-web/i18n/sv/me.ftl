# "Min sida".
me-title = Min sida
me-greeting = Hej, { $name }!
me-intro = Här ser du vad Vakt ber dig om och vad Vakt vet om dig.
me-sign-heading = Instruktioner att signera
me-sign-empty = Inga instruktioner väntar på din signatur.
me-courses-heading = Utbildningar
me-courses-empty = Du har inga utbildningar att gå.
me-equipment-heading = Utrustning
me-equipment-empty = Ingen utrustning är registrerad på dig.
me-access-heading = Behörigheter
me-access-empty = Inga behörigheter är registrerade för dig.
me-reports-heading = Mina rapporter
me-reports-empty = Du har inte rapporterat något.
