"""Presidio on a sample of the mixed corpus and on plain text (bench/scan, part c).

Two NLP engines, chosen with --nlp (the JSON says which in its `nlp` field):

* `none`: `NoNlpEngine` below, a stub that returns empty NLP artifacts (no tokens, lemmas or entities).
  Presidio's fastest configuration, but its context enhancer then has nothing to match, so context words
  never change a score.
* `spacy-blank`: Presidio's own `SpacyNlpEngine`, as a user without a downloadable model would run it: a
  blank spaCy pipeline for Norwegian Bokmål (`spacy.blank("nb")`, no download) plus spaCy's lookup
  lemmatizer, whose table comes from the `spacy-lookups-data` package. The lemmatizer is what makes the
  context words work: Presidio's `LemmaContextAwareEnhancer` reads only lemmas, and a blank pipeline leaves
  them empty; the lookup lemmatizer falls back to the token's text for words not in its (small, 1,582-word)
  Norwegian table. The pipeline is saved to a temporary directory and loaded by path, Presidio's supported
  way of giving it a local model. No named entities (blank pipeline), so only the recognizers below report.
  Before timing, the script checks that a number after "fødselsnummer" scores higher than the same number
  without it, and exits with an error if not.

Recognizers (same in both modes; Presidio's language code is "nb" in both, a label only for `none`):
Presidio's own `SePersonnummerRecognizer` and `FiPersonalIdentityCodeRecognizer` (with their checksum
validation) and two PatternRecognizers written here for the Norwegian fødselsnummer (both modulus-11
control digits) and the Danish CPR number (valid date), with context words. Presidio sets the score of a
match that passes `validate_result` to 1.0, so context could never raise it; the two recognizers written
here therefore reject bad numbers with `invalidate_result` (Presidio's idiom for a weak pattern plus
context, as in its US SSN recognizer) and keep their pattern score of 0.3, which context words raise to
0.65. Presidio's own SE and FI recognizers validate, so context does not change their scores. The default
score threshold (0) is used, so the set of reported numbers is the same in both modes: context changes
scores, not findings.

Text size: the plain text is given to Presidio in pieces of about 64 KiB (whole lines), as a caller would,
and each sample file whole; spaCy's `max_length` (1,000,000 characters by default) is raised to the longest
of these texts, so no text is refused (the limit guards the memory of parsers and NER, which a blank
pipeline does not have).

Prints one JSON object with the NLP engine, times and the found (path, country, value) keys for the sample.
"""
import argparse
import json
import os
import sys
import tempfile
import time

from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine
from presidio_analyzer.predefined_recognizers import (
    FiPersonalIdentityCodeRecognizer,
    SePersonnummerRecognizer,
)

# Norwegian Bokmål: spaCy has a blank pipeline with stop words for it and spacy-lookups-data a lemma table.
LANG = "nb"
PIECE = 65536  # characters of plain text per analyze() call


class NoNlpEngine(NlpEngine):
    """An NLP engine that needs no model: empty artifacts for every text."""

    def load(self):
        pass

    def is_loaded(self):
        return True

    def process_text(self, text, language):
        return NlpArtifacts(entities=[], tokens=[], tokens_indices=[], lemmas=[], nlp_engine=self,
                            language=language)

    def process_batch(self, texts, language, batch_size=1, n_process=1, **kwargs):
        for t in texts:
            yield t, self.process_text(t, language)

    def is_stopword(self, word, language):
        return False

    def is_punct(self, word, language):
        return False

    def get_supported_entities(self):
        return []

    def get_supported_languages(self):
        return [LANG]


def fnr_valid(digits):
    """Both modulus-11 control digits of a Norwegian fødselsnummer (11 digits as ints)."""
    if len(digits) != 11:
        return False
    k1 = 11 - sum(a * b for a, b in zip(digits[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])) % 11
    k2 = 11 - sum(a * b for a, b in zip(digits[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
    k1, k2 = (0 if k1 == 11 else k1), (0 if k2 == 11 else k2)
    return k1 == digits[9] and k2 == digits[10]


class NoFnrRecognizer(PatternRecognizer):
    def __init__(self):
        super().__init__(
            supported_entity="NO_FNR",
            patterns=[Pattern("fnr", r"\b\d{6}[ .-]?\d{5}\b", 0.3)],
            context=["fødselsnummer", "fnr", "personnummer", "d-nummer"],
            supported_language=LANG,
        )

    # invalidate_result, not validate_result: a validated match gets score 1.0 and context could not raise it.
    def invalidate_result(self, pattern_text):
        return not fnr_valid([int(c) for c in pattern_text if c.isdigit()])


class DkCprRecognizer(PatternRecognizer):
    def __init__(self):
        super().__init__(
            supported_entity="DK_CPR",
            patterns=[Pattern("cpr", r"\b\d{6}[ -]?\d{4}\b", 0.3)],
            context=["cpr", "cpr-nummer", "personnummer"],
            supported_language=LANG,
        )

    # invalidate_result for the same reason as in NoFnrRecognizer.
    def invalidate_result(self, pattern_text):
        d = "".join(c for c in pattern_text if c.isdigit())
        if len(d) != 10:
            return True
        day, month = int(d[0:2]), int(d[2:4])
        days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return not (1 <= month <= 12 and 1 <= day <= days[month - 1])


def spacy_blank_engine():
    """Presidio's SpacyNlpEngine on a blank "nb" pipeline with spaCy's lookup lemmatizer (no download)."""
    import spacy
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    nlp = spacy.blank(LANG)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lemma table from spacy-lookups-data; fails without that package
    # SpacyNlpEngine loads models by name or path (it would try to download a name it cannot find),
    # so the pipeline is handed to it as a directory.
    with tempfile.TemporaryDirectory() as d:
        nlp.to_disk(d)
        nlp_engine = SpacyNlpEngine(models=[{"lang_code": LANG, "model_name": d}])
        nlp_engine.load()
    return nlp_engine


def engine(nlp):
    registry = RecognizerRegistry(supported_languages=[LANG])
    for r in (NoFnrRecognizer(), DkCprRecognizer(),
              SePersonnummerRecognizer(supported_language=LANG),
              FiPersonalIdentityCodeRecognizer(supported_language=LANG)):
        registry.add_recognizer(r)
    nlp_engine = NoNlpEngine() if nlp == "none" else spacy_blank_engine()
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[LANG])


def context_scores(an):
    """Scores of one synthetic fødselsnummer with and without the context word before it."""
    number = "01019012138"  # synthetic, passes both control digits
    assert fnr_valid([int(c) for c in number])
    out = []
    for text in (f"Fødselsnummer: {number}", f"Nummeret: {number}"):
        out.append(max((r.score for r in an.analyze(text=text, language=LANG) if r.entity_type == "NO_FNR"),
                       default=0.0))
    return out


def country(entity):
    return {"NO_FNR": "no", "DK_CPR": "dk", "SE_PERSONNUMMER": "se",
            "FI_PERSONAL_IDENTITY_CODE": "fi"}.get(entity, entity.lower())


def key_value(v):
    return "".join(c for c in v if c.isalnum()).upper()[-10:]


def decode(data):
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", required=True, help="directory of sample files")
    ap.add_argument("--plain", required=True, help="a plain-text file")
    ap.add_argument("--plain-bytes", type=int, default=8 << 20)
    ap.add_argument("--nlp", choices=["none", "spacy-blank"], default="none",
                    help="NLP engine: the stub (none) or SpacyNlpEngine on a blank pipeline")
    a = ap.parse_args()
    an = engine(a.nlp)
    with_ctx, without_ctx = context_scores(an)
    if a.nlp != "none" and not with_ctx > without_ctx:
        raise SystemExit(f"context words had no effect: {with_ctx} (with) against {without_ctx} (without)")

    # Every text is read and cut before any timing.
    files = sorted(os.listdir(a.sample))
    texts = []
    total = 0
    for f in files:
        with open(os.path.join(a.sample, f), "rb") as fh:
            data = fh.read()
        total += len(data)
        texts.append((f, decode(data)))
    with open(a.plain, "rb") as fh:
        plain = fh.read(a.plain_bytes)
    plain = plain[: plain.rfind(b"\n") + 1].decode("utf-8")
    # Presidio is given the plain text in pieces of about 64 KiB (whole lines), as a caller would.
    pieces, cur, size = [], [], 0
    for line in plain.splitlines(keepends=True):
        cur.append(line)
        size += len(line)
        if size >= PIECE:
            pieces.append("".join(cur))
            cur, size = [], 0
    if cur:
        pieces.append("".join(cur))
    if a.nlp != "none":
        # spaCy refuses texts longer than max_length; a sample file may be longer than a piece.
        nlp = an.nlp_engine.nlp[LANG]
        nlp.max_length = max([nlp.max_length] + [len(x) + 1 for x in pieces] + [len(x) + 1 for _, x in texts])

    found = set()
    t = time.perf_counter()
    for f, text in texts:
        for r in an.analyze(text=text, language=LANG):
            found.add((f, country(r.entity_type), key_value(text[r.start:r.end])))
    sample_s = time.perf_counter() - t

    hits = 0
    t = time.perf_counter()
    for p in pieces:
        hits += len(an.analyze(text=p, language=LANG))
    plain_s = time.perf_counter() - t
    json.dump({
        "nlp": a.nlp,
        "sample_files": len(files), "sample_bytes": total, "sample_seconds": sample_s,
        "found": sorted(found),
        "plain_bytes": len(plain.encode("utf-8")), "plain_seconds": plain_s, "plain_hits": hits,
    }, sys.stdout)


if __name__ == "__main__":
    main()
