# Utgående e-post: påminnelser og eskaleringer (opplæring og instrukser).
mail-signature = — Vakt
mail-reminder-greeting = Hei { $name },
mail-reminder-subject = { $count ->
    [one] Vakt: én oppgave venter på deg
   *[other] Vakt: { $count } oppgaver venter på deg
}
mail-reminder-intro = { $count ->
    [one] Denne oppgaven har snart frist eller er forfalt:
   *[other] Disse { $count } oppgavene har snart frist eller er forfalt:
}
mail-reminder-outro = Logg inn i Vakt og åpne «Opplæring» eller «Min side» for å gjøre dem.
mail-item-course-due = Fullfør kurset «{ $title }» innen { $date }
mail-item-course-overdue = Fullfør kurset «{ $title }» — forfalt siden { $date }
mail-item-instruction-due = Les og signer «{ $title }» innen { $date }
mail-item-instruction-overdue = Les og signer «{ $title }» — forfalt siden { $date }
mail-escalation-subject = { $count ->
    [one] Vakt: én forfalt oppgave hos dine medarbeidere
   *[other] Vakt: { $count } forfalte oppgaver hos dine medarbeidere
}
mail-escalation-intro = { $count ->
    [one] Denne oppgaven hos en du er leder for er forfalt, selv etter påminnelser:
   *[other] Disse { $count } oppgavene hos dem du er leder for er forfalt, selv etter påminnelser:
}
mail-escalation-line = { $person }: { $item }
mail-escalation-outro = Følg det gjerne opp. Vakt viser detaljene på opplæringssidene.
