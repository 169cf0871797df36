# "Min side".
me-title = Min side
me-greeting = Hej, { $name }!
me-intro = Her ser du, hvad Vakt beder dig om, og hvad Vakt ved om dig.
me-sign-heading = Instrukser til underskrift
me-sign-empty = Ingen instrukser venter på din underskrift.
me-courses-heading = Kurser
me-courses-empty = Du har ingen kurser at tage.
me-equipment-heading = Udstyr
me-equipment-empty = Der er ikke registreret udstyr på dig.
me-access-heading = Adgange
me-access-empty = Der er ikke registreret adgange for dig.
me-reports-heading = Mine indberetninger
me-reports-empty = Du har ikke indberettet noget.
