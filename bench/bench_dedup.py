"""Near-duplicate detection: precision and recall of duplicate pairs on ../shared/data's labelled set
for several thresholds (and OpenWebText2's 10-permutation, 0.5 setting), then signature + banding
throughput next to plain datasketch usage (a new MinHash per document), in the same run.

Usage: python bench/bench_dedup.py [--docs 20000]
"""

import argparse
import json
import pathlib
import random
import time

from common import peak_rss_mib, report
from datasketch import MinHash, MinHashLSH

from webtext.dedup.clusters import near_duplicate_survivors
from webtext.dedup.minhash import Signer, band_keys, bands_and_rows, shingles
from webtext.sample import prose

DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"


def pair_scores(found: dict[str, str], pairs, threshold: float) -> tuple[float, float]:
    """Precision and recall of 'same cluster' against exact Jaccard >= threshold."""
    same = [found.get(p["doc_a"], p["doc_a"]) == found.get(p["doc_b"], p["doc_b"]) for p in pairs]
    truth = [p["jaccard_norm5"] >= threshold for p in pairs]
    true_positive = sum(s and t for s, t in zip(same, truth))
    return true_positive / max(1, sum(same)), true_positive / max(1, sum(truth))


def quality_table() -> None:
    docs = [json.loads(line) for line in (DATA / "neardup.jsonl").read_text().splitlines()]
    texts = [(d["doc_id"], d["text"]) for d in docs]
    pairs = [json.loads(line) for line in (DATA / "neardup_pairs.jsonl").read_text().splitlines()]
    rows = []
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
        precision, recall = pair_scores(
            near_duplicate_survivors(texts, threshold, 128, True), pairs, threshold
        )
        bands, r = bands_and_rows(threshold, 128)
        rows += [
            (f"webtext t={threshold} (128 perms, {bands}x{r}, verified): precision", 100 * precision, "%"),
            (f"webtext t={threshold}: recall", 100 * recall, "%"),
        ]
    owt2 = MinHashLSH(threshold=0.5, num_perm=10)  # OpenWebText2's setting, first-seen kept, no verification
    precision, recall = pair_scores(
        near_duplicate_survivors(texts, 0.5, 10, False, (owt2.b, owt2.r)), pairs, 0.5
    )
    rows += [("OpenWebText2 (10 perms, t=0.5): precision", 100 * precision, "%"),
             ("OpenWebText2 (10 perms, t=0.5): recall", 100 * recall, "%")]
    report(f"near-duplicate pairs: {len(pairs)} labelled pairs, {len(docs)} documents", rows)


def throughput(n_docs: int) -> None:
    rng = random.Random(0)
    texts = [" ".join(prose.article(rng, 3)) for _ in range(n_docs)]
    bands, rows = bands_and_rows(0.8, 128)
    started = time.perf_counter()
    for text in texts:  # the usual datasketch recipe
        minhash = MinHash(num_perm=128)
        minhash.update_batch([s for s in shingles(text, 5)])
        [minhash.hashvalues[b * rows:(b + 1) * rows].tobytes() for b in range(bands)]
    plain = time.perf_counter() - started
    signer = Signer(128, 5)
    started = time.perf_counter()
    for text in texts:
        band_keys(signer.signature(text), bands, rows)
    ours = time.perf_counter() - started
    report(f"signatures + band keys: {n_docs} documents (1 core)", [
        ("plain datasketch (new MinHash per document)", n_docs / plain, "docs/s"),
        ("webtext Signer (one template per worker)", n_docs / ours, "docs/s"),
        ("peak RSS of this process", peak_rss_mib(), "MiB"),
    ], ("webtext / plain", plain / ours))


def signature_memory(n_docs: int) -> float:
    """Peak RSS (MiB) of one process streaming n synthetic documents through signatures + band keys."""
    import numpy as np

    words = np.array([f"w{i}" for i in range(5000)])
    rng = np.random.default_rng(0)
    bands, rows = bands_and_rows(0.8, 128)
    signer = Signer(128, 5)
    for _ in range(n_docs):  # nothing is kept: a worker's memory must not grow with the corpus
        band_keys(signer.signature(" ".join(words[rng.integers(0, 5000, 120)])), bands, rows)
    return peak_rss_mib()


def memory_table() -> None:
    import subprocess
    import sys

    rows = []
    for n in (100_000, 1_000_000):
        out = subprocess.run(
            [sys.executable, __file__, "--memory_only", str(n)], capture_output=True, text=True, check=True
        ).stdout.split()[-1]
        rows.append((f"peak RSS after {n:,} documents", float(out), "MiB"))
    report("signature + banding worker memory (one process, streaming)", rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument(
        "--memory", action="store_true", help="also measure peak memory at 100k and 1M documents"
    )
    parser.add_argument("--memory_only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_only:
        print(signature_memory(args.memory_only))
        return
    if DATA.exists():
        quality_table()
    else:
        print(f"{DATA} is missing: quality table skipped")
    throughput(args.docs)
    if args.memory:
        memory_table()


if __name__ == "__main__":
    main()
