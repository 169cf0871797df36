# Outgoing e-mail: reminders and escalations (training and instructions).
mail-signature = — Vakt
mail-reminder-greeting = Hello { $name },
mail-reminder-subject = { $count ->
    [one] Vakt: one task is waiting for you
   *[other] Vakt: { $count } tasks are waiting for you
}
mail-reminder-intro = { $count ->
    [one] This task is due soon or overdue:
   *[other] These { $count } tasks are due soon or overdue:
}
mail-reminder-outro = Sign in to Vakt and open “Training” or “My page” to deal with them.
mail-item-course-due = Complete the course “{ $title }” by { $date }
mail-item-course-overdue = Complete the course “{ $title }” — overdue since { $date }
mail-item-instruction-due = Read and sign “{ $title }” by { $date }
mail-item-instruction-overdue = Read and sign “{ $title }” — overdue since { $date }
mail-escalation-subject = { $count ->
    [one] Vakt: one overdue task among the people you lead
   *[other] Vakt: { $count } overdue tasks among the people you lead
}
mail-escalation-intro = { $count ->
    [one] This task of someone you lead is overdue, despite reminders:
   *[other] These { $count } tasks of people you lead are overdue, despite reminders:
}
mail-escalation-line = { $person }: { $item }
mail-escalation-outro = Please follow up. Vakt shows the details on the training pages.
