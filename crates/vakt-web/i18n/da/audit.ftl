audit-nav = Revisionslog
audit-title = Revisionslog
audit-filter-person = Person (navn eller e-mail på den, der handlede)
audit-filter-object = Objekt (type eller id)
audit-filter-action = Handling
audit-filter-from = Fra dato
audit-filter-to = Til dato
audit-filter-button = Søg
audit-export-csv = Eksporter som CSV
audit-col-time = Tid
audit-col-seq = Nr.
audit-col-actor = Hvem
audit-col-action = Handling
audit-col-object = Objekt
audit-col-summary = Ændring
audit-col-origin = Fra
audit-none = Ingen hændelser matcher søgningen.
audit-count = { $count ->
    [one] Én hændelse
   *[other] { $count } hændelser
}
audit-system = System
audit-err-date = { $field } er ikke en gyldig dato (brug ÅÅÅÅ-MM-DD).
audit-err-too-long = { $field } er for lang (højst { $max } tegn).
audit-err-invalid = { $field } indeholder tegn, der ikke er tilladt.
