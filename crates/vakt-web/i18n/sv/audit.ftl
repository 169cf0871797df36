audit-nav = Granskningslogg
audit-title = Granskningslogg
audit-filter-person = Person (namn eller e-post på den som agerade)
audit-filter-object = Objekt (typ eller id)
audit-filter-action = Åtgärd
audit-filter-from = Från datum
audit-filter-to = Till datum
audit-filter-button = Sök
audit-export-csv = Exportera som CSV
audit-col-time = Tid
audit-col-seq = Nr
audit-col-actor = Vem
audit-col-action = Åtgärd
audit-col-object = Objekt
audit-col-summary = Ändring
audit-col-origin = Från
audit-none = Inga händelser matchar sökningen.
audit-count = { $count ->
    [one] En händelse
   *[other] { $count } händelser
}
audit-system = System
audit-err-date = { $field } är inte ett giltigt datum (använd ÅÅÅÅ-MM-DD).
audit-err-too-long = { $field } är för långt (högst { $max } tecken).
audit-err-invalid = { $field } innehåller tecken som inte är tillåtna.
