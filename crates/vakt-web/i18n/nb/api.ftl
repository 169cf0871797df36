api-err-unauthorized = Et gyldig personlig API-token kreves (Authorization: Bearer).
api-err-forbidden = Rollene dine tillater ikke dette.
api-err-not-found = Objektet finnes ikke.
api-err-invalid-request = Forespørselen er ikke gyldig: { $detail }
api-err-import-invalid = { $count ->
    [one] Én rad er ugyldig; ingenting ble importert.
   *[other] { $count } rader er ugyldige; ingenting ble importert.
}
api-err-too-large = Forespørselen er for stor.
api-err-internal = Noe gikk galt på tjeneren. Referanse: { $reference }
