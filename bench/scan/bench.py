"""Driver of bench/scan/run.sh: runs every measurement RUNS times, takes medians, writes Markdown."""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import time
import tomllib

# ripgrep's "equivalent unvalidated pattern": the digit shapes vakt looks for (NO 11 digits, SE/DK 10 or
# 12 digits with - + or space, FI with its century sign), ASCII digits and ASCII word boundaries.
RG_PATTERN = (r"(?-u:\b)([0-9]{6}[ .-]?[0-9]{5}|([0-9]{2})?[0-9]{6}[-+ ]?[0-9]{4}"
              r"|[0-9]{6}[-+A-FU-Ya-fu-y][0-9]{3}[0-9A-Za-z])(?-u:\b)")
TEXT_EXT = (".txt", ".csv", ".html", ".xml")
# The built-in special-category term lists the default scan matches (crates/vakt-scan/terms/, embedded in
# the binary by rules.rs; context.toml holds context words, not category terms).
TERM_LISTS = ("nb", "sv", "da")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rx_escape(s):
    """Escape the characters that are special in ripgrep's regex syntax (regex-syntax 0.6 of ripgrep 13
    rejects escaping most other characters, a space among them)."""
    return "".join("\\" + c if c in "\\.+*?()|[]{}^$#&-~" else c for c in s)


def rg_terms_pattern():
    """The term lists as one case-insensitive alternation, bounded as vakt's term matcher bounds a term
    (crates/vakt-scan/src/terms.rs): a `*` at an end leaves that side open; a closed side needs the
    neighbouring character to be no letter, digit or `_`, or the line's start or end, written as
    `(?:^|\\W)` and `(?:\\W|$)` (as `rg -w` does). The boundaries are ASCII ones, as in RG_PATTERN: with a
    Unicode `\\W` (or `\\b`) ripgrep 13 runs this alternation on the Nordic prose at about 3 MB/s (`\\b`:
    0.2 MB/s); ASCII boundaries count a non-ASCII letter as a non-word character, so they match a
    superset of vakt's matches (an unvalidated pattern)."""
    pieces = set()
    for lang in TERM_LISTS:
        with open(os.path.join(ROOT, "crates", "vakt-scan", "terms", f"{lang}.toml"), "rb") as f:
            for table in tomllib.load(f).get("category", []):
                for term in table["terms"]:
                    t = term.strip()
                    core = t.strip("*").strip().lower()
                    if not core:
                        continue
                    left = "" if t.startswith("*") else r"(?:^|(?-u:\W))"
                    right = "" if t.endswith("*") else r"(?:(?-u:\W)|$)"
                    pieces.add(left + rx_escape(core) + right)
    return "(?i:" + "|".join(sorted(pieces)) + ")"


# ripgrep's equivalent unvalidated pattern of the default scan: the ID-number shapes above or any term of
# the built-in lists.
RG_DEFAULTS_PATTERN = RG_PATTERN + "|" + rg_terms_pattern()


def run(cmd, **kw):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    dt = time.perf_counter() - t
    if p.returncode not in (0, 1):
        raise SystemExit(f"{cmd}: exit {p.returncode}: {p.stderr.decode()[:2000]}")
    return dt, p.stdout


def median_of(runs, cmd):
    run(cmd)  # warm-up: page cache, binary
    times, out = [], b""
    for _ in range(runs):
        dt, out = run(cmd)
        times.append(dt)
    return statistics.median(times), times, out


def tree_bytes(root):
    n, total = 0, 0
    for d, _, fs in os.walk(root):
        for f in fs:
            n += 1
            total += os.path.getsize(os.path.join(d, f))
    return n, total


def kind_country(kind):
    return kind.split(".")[0]


def key_value(v):
    return "".join(c for c in v if c.isalnum()).upper()[-10:]


def vakt_keys(out, prefix, rename=lambda p: p):
    keys = set()
    for line in out.decode().splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        kind = r.get("kind", "")
        if kind == "error" or kind.startswith("category."):
            continue
        path = r["path"]
        path = path[len(prefix):] if path.startswith(prefix) else path
        keys.add((rename(path), kind_country(kind), key_value(r.get("value", ""))))
    return keys


def pr(found, must):
    hits = len(found & must)
    p = hits / len(found) if found else 0.0
    r = hits / len(must) if must else 0.0
    return p, r


def sh(cmd):
    return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vakt", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sample-files", type=int, default=400)
    a = ap.parse_args()
    v, work, runs = a.vakt, a.work, a.runs
    plain = os.path.join(work, "plain")
    mixed_root = os.path.join(work, "mixed")
    corpus = os.path.join(mixed_root, "corpus")
    md = []
    load_start = sh("uptime")
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("free -g | awk '/Mem:/{print $2}'")
    rg_version = sh("rg --version | head -1")
    pip_show = a.python + " -m pip show {} 2>/dev/null | grep ^Version | cut -d' ' -f2"
    pres_version = sh(pip_show.format("presidio-analyzer"))
    spacy_version = sh(pip_show.format("spacy"))
    lookups_version = sh(pip_show.format("spacy-lookups-data"))
    md.append(f"Machine: {os.cpu_count()} cores ({cpu}), {mem} GiB RAM, Linux {platform.release()}; "
              f"{rg_version}; presidio-analyzer {pres_version}, spaCy {spacy_version}, "
              f"spacy-lookups-data {lookups_version}.")
    md.append(f"Runs per figure: {runs} (median; a warm-up run first, so the files are in the page cache).")
    md.append(f"Load at start: `{load_start}`")
    busy = sh("ps -eo pcpu,comm --sort=-pcpu | head -6 | tail -5 | tr -s ' ' | paste -sd ';'")
    md.append(f"Busiest processes at start (%CPU command): `{busy}`")

    # (a) plain text against ripgrep
    n_plain, b_plain = tree_bytes(plain)
    rows = []
    for name, cmd in [
        ("ripgrep 13, unvalidated pattern (`rg -n`)", ["rg", "-n", RG_PATTERN, plain]),
        ("vakt scan --kinds ids (ID numbers, validated)", [v, "scan", "-q", "--kinds", "ids", "--format", "jsonl", plain]),
        ("vakt scan (defaults: ID numbers + Art. 9 term lists)", [v, "scan", "-q", "--format", "jsonl", plain]),
        ("ripgrep 13, unvalidated pattern of the defaults: ID numbers + term lists (`rg -n`)",
         ["rg", "-n", RG_DEFAULTS_PATTERN, plain]),
    ]:
        med, times, out = median_of(runs, cmd)
        lines = out.count(b"\n")
        rows.append((name, med, times, lines))
    md.append("")
    md.append(f"### (a) Plain text: {n_plain} files, {b_plain} bytes ({b_plain / 2**30:.2f} GiB), 2 threads each")
    md.append("")
    md.append("| tool | median s | MB/s | runs (s) | output lines |")
    md.append("|---|---:|---:|---|---:|")
    for name, med, times, lines in rows:
        md.append(f"| {name} | {med:.2f} | {b_plain / med / 1e6:.0f} | {' '.join(f'{t:.2f}' for t in times)} | {lines} |")
    rg_s = rows[0][1]
    md.append("")
    md.append(f"vakt (ids) / ripgrep time: {rows[1][1] / rg_s:.2f}; vakt (defaults) / ripgrep time: {rows[2][1] / rg_s:.2f}; "
              f"vakt (defaults) / ripgrep with the defaults' pattern (ID numbers + term lists): {rows[2][1] / rows[3][1]:.2f}.")
    plain_vakt_mbs = b_plain / rows[2][1] / 1e6
    plain_vakt_ids_mbs = b_plain / rows[1][1] / 1e6

    # (b) mixed corpus
    n_mixed, b_mixed = tree_bytes(corpus)
    truth = json.load(open(os.path.join(mixed_root, "truth.json")))
    must_all = {(p["path"], kind_country(p["kind"]), key_value(p["value"])) for p in truth["planted"] if p["report"]}
    md.append("")
    md.append(f"### (b) Mixed corpus: {n_mixed} files, {b_mixed} bytes (every format of point 3)")
    md.append("")
    md.append("| run | median s | files/s | MB/s | runs (s) |")
    md.append("|---|---:|---:|---:|---|")
    prefix = corpus + "/"
    mixed_out = b""
    for name, extra in [("vakt scan (PDFs in the worker process, the default)", []),
                        ("vakt scan --pdf-in-process", ["--pdf-in-process"])]:
        med, times, out = median_of(runs, [v, "scan", "-q", "--format", "jsonl", "--reveal", *extra, corpus])
        if not extra:
            mixed_out = out
        md.append(f"| {name} | {med:.2f} | {n_mixed / med:.0f} | {b_mixed / med / 1e6:.1f} | {' '.join(f'{t:.2f}' for t in times)} |")
    p, r = pr(vakt_keys(mixed_out, prefix), must_all)
    md.append("")
    md.append(f"Accuracy of the same run on the whole corpus (keys: path incl. members, country, value): precision {p:.4f}, recall {r:.4f} ({len(must_all)} numbers to report).")

    # (c) Presidio on a sample
    sample = os.path.join(work, "presidio-sample")
    shutil.rmtree(sample, ignore_errors=True)
    os.makedirs(sample)
    chosen = []
    for d, _, fs in sorted(os.walk(corpus)):
        for f in sorted(fs):
            if f.endswith(TEXT_EXT):
                rel = os.path.relpath(os.path.join(d, f), corpus)
                chosen.append(rel)
    chosen = chosen[:: max(1, len(chosen) // a.sample_files)][: a.sample_files]
    flat = {}
    for rel in chosen:
        name = rel.replace("/", "__")
        flat[name] = rel
        os.link(os.path.join(corpus, rel), os.path.join(sample, name))
    must = {k for k in must_all if k[0] in set(chosen)}
    first_plain = os.path.join(plain, sorted(f for f in os.listdir(plain) if f.endswith(".txt"))[0])
    # Both NLP engines of presidio_bench.py; the runs alternate between them so that a change in the
    # machine's load hits both alike.
    nlps = [("none", "Presidio (AnalyzerEngine, stub NLP engine: pattern recognizers only)"),
            ("spacy-blank", "Presidio (AnalyzerEngine, SpacyNlpEngine: blank `nb` pipeline + lookup lemmatizer)")]
    pres_runs = {nlp: [] for nlp, _ in nlps}
    for _ in range(max(1, min(runs, 3))):
        for nlp, _ in nlps:
            dt, out = run([a.python, os.path.join(os.path.dirname(__file__), "presidio_bench.py"),
                           "--nlp", nlp, "--sample", sample, "--plain", first_plain])
            pres_runs[nlp].append(json.loads(out))
    pres_rows = []
    for nlp, name in nlps:
        pres = pres_runs[nlp][-1]
        ps = statistics.median(x["sample_seconds"] for x in pres_runs[nlp])
        pp = statistics.median(x["plain_seconds"] for x in pres_runs[nlp])
        pres_found = {(flat[f], c, val) for f, c, val in pres["found"]}
        pres_p, pres_r = pr(pres_found, must)
        pres_rows.append((name, ps, pres_p, pres_r, pres["plain_bytes"] / pp / 1e6))
    pres = pres_runs["none"][-1]
    vs, _, vout = median_of(runs, [v, "scan", "-q", "--format", "jsonl", "--reveal", sample])
    vakt_found = vakt_keys(vout, sample + "/", lambda p: flat.get(p, p))
    vp, vr = pr(vakt_found, must)
    md.append("")
    md.append(f"### (c) Presidio: sample of {len(chosen)} top-level text files of the corpus (.txt .csv .html .xml; "
              f"{pres['sample_bytes']} bytes, {len(must)} numbers to report), and {pres['plain_bytes']} bytes of the plain text")
    md.append("")
    md.append("| tool | sample: s | sample: precision | sample: recall | plain text: MB/s |")
    md.append("|---|---:|---:|---:|---:|")
    for name, ps, pres_p, pres_r, pres_plain_mbs in pres_rows:
        md.append(f"| {name} | {ps:.3f} | {pres_p:.4f} | {pres_r:.4f} | {pres_plain_mbs:.2f} |")
    md.append(f"| vakt scan (whole process, 2 threads) | {vs:.3f} | {vp:.4f} | {vr:.4f} | {plain_vakt_mbs:.0f} (defaults), {plain_vakt_ids_mbs:.0f} (--kinds ids) |")
    for (nlp, _), (_, ps, _, _, pres_plain_mbs) in zip(nlps, pres_rows):
        md.append("")
        md.append(f"Speed ratio on plain text (MB/s) against Presidio with NLP engine `{nlp}`: "
                  f"vakt defaults / Presidio = {plain_vakt_mbs / pres_plain_mbs:.0f}×; "
                  f"vakt --kinds ids / Presidio = {plain_vakt_ids_mbs / pres_plain_mbs:.0f}×. "
                  f"On the small sample (process start included for vakt): {ps / vs:.1f}×.")
    md.append("")
    md.append("Presidio runs on one core (Python); per core vakt's defaults ratios are about half the figures above.")

    # (d) cache
    md.append("")
    md.append("### (d) `--cache`: first run (empty cache) against a second run of the unchanged tree")
    md.append("")
    md.append("| tree | first run median s | second run median s | speed-up | same findings |")
    md.append("|---|---:|---:|---:|---|")
    for name, tree in [("mixed corpus", corpus), ("plain text 1 GiB", plain)]:
        cache = os.path.join(work, "scan.cache")
        firsts, seconds, same = [], [], True
        run([v, "scan", "-q", "--format", "jsonl", tree])  # warm the page cache
        for _ in range(runs):
            if os.path.exists(cache):
                os.remove(cache)
            t1, o1 = run([v, "scan", "-q", "--format", "jsonl", "--cache", cache, tree])
            t2, o2 = run([v, "scan", "-q", "--format", "jsonl", "--cache", cache, tree])
            firsts.append(t1)
            seconds.append(t2)
            same &= sorted(o1.splitlines()) == sorted(o2.splitlines())
        f1, f2 = statistics.median(firsts), statistics.median(seconds)
        md.append(f"| {name} | {f1:.3f} | {f2:.3f} | {f1 / f2:.0f}× | {'yes' if same else 'NO'} |")
    md.append("")
    md.append(f"Load at end: `{sh('uptime')}`")
    text = "\n".join(md) + "\n"
    open(a.out, "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
