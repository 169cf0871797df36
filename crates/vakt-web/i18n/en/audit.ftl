audit-nav = Audit log
audit-title = Audit log
audit-filter-person = Person (name or e-mail of who acted)
audit-filter-object = Object (type or id)
audit-filter-action = Action
audit-filter-from = From date
audit-filter-to = To date
audit-filter-button = Search
audit-export-csv = Export as CSV
audit-col-time = Time
audit-col-seq = No.
audit-col-actor = Who
audit-col-action = Action
audit-col-object = Object
audit-col-summary = Change
audit-col-origin = From
audit-none = No events match the search.
audit-count = { $count ->
    [one] One event
   *[other] { $count } events
}
audit-system = System
audit-err-date = { $field } is not a valid date (use YYYY-MM-DD).
audit-err-too-long = { $field } is too long (at most { $max } characters).
audit-err-invalid = { $field } contains characters that are not allowed.
