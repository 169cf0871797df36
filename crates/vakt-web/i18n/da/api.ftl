api-err-unauthorized = Et gyldigt personligt API-token kræves (Authorization: Bearer).
api-err-forbidden = Dine roller tillader ikke dette.
api-err-not-found = Objektet findes ikke.
api-err-invalid-request = Forespørgslen er ikke gyldig: { $detail }
api-err-import-invalid = { $count ->
    [one] Én række er ugyldig; intet blev importeret.
   *[other] { $count } rækker er ugyldige; intet blev importeret.
}
api-err-too-large = Forespørgslen er for stor.
api-err-internal = Noget gik galt på serveren. Reference: { $reference }
