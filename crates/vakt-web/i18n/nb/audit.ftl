audit-nav = Revisjonslogg
audit-title = Revisjonslogg
audit-filter-person = Person (navn eller e-post på den som handlet)
audit-filter-object = Objekt (type eller id)
audit-filter-action = Handling
audit-filter-from = Fra dato
audit-filter-to = Til dato
audit-filter-button = Søk
audit-export-csv = Eksporter som CSV
audit-col-time = Tid
audit-col-seq = Nr.
audit-col-actor = Hvem
audit-col-action = Handling
audit-col-object = Objekt
audit-col-summary = Endring
audit-col-origin = Fra
audit-none = Ingen hendelser passer søket.
audit-count = { $count ->
    [one] Én hendelse
   *[other] { $count } hendelser
}
audit-system = System
audit-err-date = { $field } er ikke en gyldig dato (bruk ÅÅÅÅ-MM-DD).
audit-err-too-long = { $field } er for lang (høyst { $max } tegn).
audit-err-invalid = { $field } inneholder tegn som ikke er tillatt.
