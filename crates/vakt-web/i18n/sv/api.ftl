api-err-unauthorized = En giltig personlig API-token krävs (Authorization: Bearer).
api-err-forbidden = Dina roller tillåter inte detta.
api-err-not-found = Objektet finns inte.
api-err-invalid-request = Begäran är inte giltig: { $detail }
api-err-import-invalid = { $count ->
    [one] En rad är ogiltig; inget importerades.
   *[other] { $count } rader är ogiltiga; inget importerades.
}
api-err-too-large = Begäran är för stor.
api-err-internal = Något gick fel på servern. Referens: { $reference }
