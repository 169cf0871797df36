# Utgående e-post: påminnelser och eskaleringar (utbildning och instruktioner).
mail-signature = — Vakt
mail-reminder-greeting = Hej { $name },
mail-reminder-subject = { $count ->
    [one] Vakt: en uppgift väntar på dig
   *[other] Vakt: { $count } uppgifter väntar på dig
}
mail-reminder-intro = { $count ->
    [one] Den här uppgiften ska snart vara klar eller är försenad:
   *[other] De här { $count } uppgifterna ska snart vara klara eller är försenade:
}
mail-reminder-outro = Logga in i Vakt och öppna ”Utbildning” eller ”Min sida” för att ta hand om dem.
mail-item-course-due = Genomför kursen ”{ $title }” senast { $date }
mail-item-course-overdue = Genomför kursen ”{ $title }” — försenad sedan { $date }
mail-item-instruction-due = Läs och signera ”{ $title }” senast { $date }
mail-item-instruction-overdue = Läs och signera ”{ $title }” — försenad sedan { $date }
mail-escalation-subject = { $count ->
    [one] Vakt: en försenad uppgift bland dina medarbetare
   *[other] Vakt: { $count } försenade uppgifter bland dina medarbetare
}
mail-escalation-intro = { $count ->
    [one] Den här uppgiften hos någon du är chef för är försenad, trots påminnelser:
   *[other] De här { $count } uppgifterna hos dem du är chef för är försenade, trots påminnelser:
}
mail-escalation-line = { $person }: { $item }
mail-escalation-outro = Följ gärna upp. Vakt visar detaljerna på utbildningssidorna.
