api-err-unauthorized = A valid personal API token is required (Authorization: Bearer).
api-err-forbidden = Your roles do not allow this.
api-err-not-found = No such object.
api-err-invalid-request = The request is not valid: { $detail }
api-err-import-invalid = { $count ->
    [one] One row is invalid; nothing was imported.
   *[other] { $count } rows are invalid; nothing was imported.
}
api-err-too-large = The request body is too large.
api-err-internal = Something went wrong on the server. Reference: { $reference }
