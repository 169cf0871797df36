# Udgående e-mail: påmindelser og eskaleringer (uddannelse og instrukser).
mail-signature = — Vakt
mail-reminder-greeting = Hej { $name },
mail-reminder-subject = { $count ->
    [one] Vakt: én opgave venter på dig
   *[other] Vakt: { $count } opgaver venter på dig
}
mail-reminder-intro = { $count ->
    [one] Denne opgave har snart frist eller er overskredet:
   *[other] Disse { $count } opgaver har snart frist eller er overskredet:
}
mail-reminder-outro = Log ind i Vakt og åbn »Uddannelse« eller »Min side« for at klare dem.
mail-item-course-due = Gennemfør kurset »{ $title }« senest { $date }
mail-item-course-overdue = Gennemfør kurset »{ $title }« — overskredet siden { $date }
mail-item-instruction-due = Læs og underskriv »{ $title }« senest { $date }
mail-item-instruction-overdue = Læs og underskriv »{ $title }« — overskredet siden { $date }
mail-escalation-subject = { $count ->
    [one] Vakt: én overskredet opgave blandt dine medarbejdere
   *[other] Vakt: { $count } overskredne opgaver blandt dine medarbejdere
}
mail-escalation-intro = { $count ->
    [one] Denne opgave hos en, du er leder for, er overskredet trods påmindelser:
   *[other] Disse { $count } opgaver hos dem, du er leder for, er overskredet trods påmindelser:
}
mail-escalation-line = { $person }: { $item }
mail-escalation-outro = Følg gerne op. Vakt viser detaljerne på uddannelsessiderne.
