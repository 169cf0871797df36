"""Presidio on a sample of the mixed corpus and on plain text (bench/scan, part c).

Presidio's AnalyzerEngine needs an NLP engine; the usual spaCy models cannot be downloaded here, so the
engine gets `NoNlpEngine` below, which returns empty NLP artifacts (no tokens, lemmas or entities). Only
pattern recognizers run: Presidio's own `SePersonnummerRecognizer` and `FiPersonalIdentityCodeRecognizer`
(with their checksum validation) and two PatternRecognizers written here for the Norwegian
fødselsnummer (both modulus-11 control digits) and the Danish CPR number (valid date), with context
words. Without tokens, Presidio's context enhancer has nothing to match, so context words do not change
scores. The default score threshold (0) is used.

Prints one JSON object with times and the found (path, country, value) keys for the sample.
"""
import argparse
import json
import os
import sys
import time

from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine
from presidio_analyzer.predefined_recognizers import (
    FiPersonalIdentityCodeRecognizer,
    SePersonnummerRecognizer,
)

LANG = "xx"


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


class NoFnrRecognizer(PatternRecognizer):
    def __init__(self):
        super().__init__(
            supported_entity="NO_FNR",
            patterns=[Pattern("fnr", r"\b\d{6}[ .-]?\d{5}\b", 0.3)],
            context=["fødselsnummer", "fnr", "personnummer", "d-nummer"],
            supported_language=LANG,
        )

    def validate_result(self, pattern_text):
        d = [int(c) for c in pattern_text if c.isdigit()]
        if len(d) != 11:
            return False
        k1 = 11 - sum(a * b for a, b in zip(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])) % 11
        k2 = 11 - sum(a * b for a, b in zip(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
        k1, k2 = (0 if k1 == 11 else k1), (0 if k2 == 11 else k2)
        return k1 == d[9] and k2 == d[10]


class DkCprRecognizer(PatternRecognizer):
    def __init__(self):
        super().__init__(
            supported_entity="DK_CPR",
            patterns=[Pattern("cpr", r"\b\d{6}[ -]?\d{4}\b", 0.3)],
            context=["cpr", "cpr-nummer", "personnummer"],
            supported_language=LANG,
        )

    def validate_result(self, pattern_text):
        d = "".join(c for c in pattern_text if c.isdigit())
        if len(d) != 10:
            return False
        day, month = int(d[0:2]), int(d[2:4])
        days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return 1 <= month <= 12 and 1 <= day <= days[month - 1]


def engine():
    registry = RecognizerRegistry(supported_languages=[LANG])
    for r in (NoFnrRecognizer(), DkCprRecognizer(),
              SePersonnummerRecognizer(supported_language=LANG),
              FiPersonalIdentityCodeRecognizer(supported_language=LANG)):
        registry.add_recognizer(r)
    return AnalyzerEngine(registry=registry, nlp_engine=NoNlpEngine(), supported_languages=[LANG])


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
    a = ap.parse_args()
    an = engine()

    files = sorted(os.listdir(a.sample))
    texts = []
    total = 0
    for f in files:
        with open(os.path.join(a.sample, f), "rb") as fh:
            data = fh.read()
        total += len(data)
        texts.append((f, decode(data)))
    found = set()
    t = time.perf_counter()
    for f, text in texts:
        for r in an.analyze(text=text, language=LANG):
            found.add((f, country(r.entity_type), key_value(text[r.start:r.end])))
    sample_s = time.perf_counter() - t

    with open(a.plain, "rb") as fh:
        plain = fh.read(a.plain_bytes)
    plain = plain[: plain.rfind(b"\n") + 1].decode("utf-8")
    # Presidio is given the text in pieces of about 64 KiB (whole lines), as a caller would.
    pieces, cur, size = [], [], 0
    for line in plain.splitlines(keepends=True):
        cur.append(line)
        size += len(line)
        if size >= 65536:
            pieces.append("".join(cur))
            cur, size = [], 0
    if cur:
        pieces.append("".join(cur))
    hits = 0
    t = time.perf_counter()
    for p in pieces:
        hits += len(an.analyze(text=p, language=LANG))
    plain_s = time.perf_counter() - t
    json.dump({
        "sample_files": len(files), "sample_bytes": total, "sample_seconds": sample_s,
        "found": sorted(found),
        "plain_bytes": len(plain.encode("utf-8")), "plain_seconds": plain_s, "plain_hits": hits,
    }, sys.stdout)


if __name__ == "__main__":
    main()
