"""Which eval items overlap the training split, by how much, and with which training documents.

The Bloom filter says how many of an item's 8-grams the training split holds, not where. For the
items it flags, their 8-grams (a few thousand at most) are kept as an exact set and the training
text shards are scanned once: each training document that shares any of them is named, with how
many it shares. A filter's false positive therefore never names a document.
"""

from collections import Counter, defaultdict

import pyarrow.parquet as pq

from webtext.ngram_bloom import ngrams

TOP_DOCUMENTS = 5  # training documents named per eval item, most shared 8-grams first


def flagged_items(documents: list[str], bloom) -> list[dict]:
    """The eval items with any 8-gram in the filter: index in the eval set, 8-grams, share found."""
    items = []
    for index, text in enumerate(documents):
        grams = ngrams(text)
        found = sum(g in bloom for g in grams)
        if found:
            items.append({"index": index, "ngrams": len(grams), "in_training": found,
                          "overlap_percent": 100 * found / len(grams), "grams": set(grams)})
    return items


def _training_documents(text_paths: list[str]):
    for path in text_paths:
        for batch in pq.ParquetFile(path).iter_batches(columns=["doc_id", "text"], batch_size=1024):
            yield from zip(batch.column("doc_id").to_pylist(), batch.column("text").to_pylist())


def name_training_documents(items: list[dict], text_paths: list[str]) -> list[dict]:
    """`items` (from flagged_items, over any eval sets) with the training documents that hold their
    8-grams exactly: `shared_with` [[doc_id, distinct 8-grams shared], ...] (most first, at most
    TOP_DOCUMENTS) and `exact_ngrams_in_training`, the item's distinct 8-grams found in any of them.
    Their `grams` sets are dropped."""
    owners = defaultdict(list)  # 8-gram -> the items holding it
    for number, item in enumerate(items):
        for gram in item["grams"]:
            owners[gram].append(number)
    shared = [Counter() for _ in items]
    found = [set() for _ in items]
    if owners:
        for doc_id, text in _training_documents(text_paths):
            for gram in set(ngrams(text)):
                for number in owners.get(gram, ()):
                    shared[number][doc_id] += 1
                    found[number].add(gram)
    for item, counts, grams in zip(items, shared, found):
        del item["grams"]
        item["exact_ngrams_in_training"] = len(grams)
        item["shared_with"] = [[doc_id, n] for doc_id, n in
                               sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_DOCUMENTS]]
    return items
