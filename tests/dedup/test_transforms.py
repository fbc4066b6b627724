"""DeduplicateDocuments on the in-process Beam runner: same survivors whatever the input order."""

import random

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from webtext.dedup.settings import DedupSettings
from webtext.dedup.transforms import DeduplicateDocuments
from webtext.records import Document
from webtext.sample import prose

CONFIG = DedupSettings(rounds=2)  # clusters here are pairs; and any rounds give the same clusters
BASE = " ".join(prose.article(random.Random(11), 4))
OTHER = " ".join(prose.article(random.Random(12), 4))


def doc(doc_id, text, karma):
    return Document(doc_id, f"https://e.com/{doc_id}", "", "e.com", "", text, karma, (), (), 1, "en")


DOCS = [doc("a1", BASE, 3), doc("a2", BASE.upper(), 9), doc("a3", BASE.replace("the", "a", 1), 5),
        doc("b1", OTHER, 1)]


def run_dedup(docs):
    with BeamTestPipeline(runner="FnApiRunner") as p:
        kept, drops, _, kept_tally = (p | beam.Create(docs) | DeduplicateDocuments(CONFIG))[:4]
        assert_that(kept | "Ids" >> beam.Map(lambda d: d.doc_id), equal_to(["a2", "b1"]), label="kept")
        # Known before the kept documents are: per id, 1 for the kept and 0 for the rest (the shard
        # writer sizes its shards from it). a3 is counted in (+1) and out again (-1) as a near duplicate.
        assert_that(kept_tally | "SumTally" >> beam.CombinePerKey(sum),
                    equal_to([("a2", 1), ("b1", 1), ("a3", 0)]), label="kept tally")
        assert_that(
            drops | "Why" >> beam.Map(lambda d: (d.reason, d.item, d.detail)),
            equal_to([("exact_duplicate", "a1", "a2"), ("near_duplicate", "a3", "a2")]),
            label="drops",
        )


def test_survivors_are_the_same_in_any_order():
    run_dedup(DOCS)
    run_dedup(list(reversed(DOCS)))


def test_distributed_components_equal_union_find_for_any_rounds_and_report_convergence():
    import random as random_module

    from webtext.dedup.clusters import Member, duplicates_of_components
    from webtext.dedup.transforms import ConnectedComponents

    rng = random_module.Random(4)
    members = [Member(f"d{i:03d}", rng.randint(0, 5), rng.randint(0, 9)) for i in range(120)]
    edges = {(tuple(rng.choice(members)), tuple(rng.choice(members))) for _ in range(90)}
    edges = [e for e in edges if e[0] != e[1]]
    chain = [Member(f"c{i:03d}", 0, 0) for i in range(400)]  # too long a path for the 2 rounds below
    chain_edges = [(tuple(a), tuple(b)) for a, b in zip(chain, chain[1:])]
    expected = [(doc, survivor) for doc, survivor, _ in duplicates_of_components(edges + chain_edges)]

    with BeamTestPipeline(runner="FnApiRunner") as p:
        losers, stats = p | beam.Create(edges + chain_edges) | ConnectedComponents(rounds=10)
        assert_that(losers, equal_to(expected), label="same as union-find")
        assert_that(stats | beam.Filter(lambda s: s[0][0] == "unconverged_nodes"),
                    equal_to([(("unconverged_nodes", 0), 0)]), label="converged")
    # Rounds too few for the chain, or none: what they leave is finished exactly, and reported.
    for rounds in (2, 0):
        with BeamTestPipeline(runner="FnApiRunner") as p:
            graph = p | "Edges" >> beam.Create(edges + chain_edges)
            losers, stats = graph | "CC" >> ConnectedComponents(rounds)
            assert_that(losers, equal_to(expected), label="exact all the same")
            assert_that(stats | beam.Filter(lambda s: s[0][0] == "unconverged_nodes" and s[1] > 0)
                        | beam.combiners.Count.Globally(), equal_to([1]), label="a long chain is reported")


def test_the_global_step_over_signatures_decides_as_the_beam_transform():
    """dedup_signed (a run in units: exact keys, members and signatures, never texts) on the same documents:
    the same drops, each naming the same survivor, and the cluster sizes; a document whose signature
    failed stays, with no candidates."""
    from webtext.dedup.clusters import member_of
    from webtext.dedup.minhash import Signer, exact_key
    from webtext.dedup.over_signatures import Signed, dedup_signed

    signer = Signer(CONFIG.num_perm, CONFIG.shingle_words)
    signed = [Signed(exact_key(d.text), member_of(d), signer.signature(d.text).tobytes()) for d in DOCS]
    for order in (signed, list(reversed(signed))):
        verdicts = dedup_signed(order, CONFIG)
        assert [(d.reason, d.item, d.detail) for d in verdicts.drops] == [
            ("exact_duplicate", "a1", "a2"), ("near_duplicate", "a3", "a2")]
        assert verdicts.stats == [(("cluster_size", 2), 1), (("unconverged_nodes", 0), 0)]
    unsigned = [s._replace(signature=None) if s.member.doc_id == "a3" else s for s in signed]
    assert [d.item for d in dedup_signed(unsigned, CONFIG).drops] == ["a1"]


def test_components_over_signatures_are_the_in_memory_union_finds():
    """Clusters of up to six drifting copies (chains: a copy may match only its neighbours), in shuffled
    order: the store's on-disk components name the same survivor for every near duplicate as the
    in-memory reference, and count the clusters by size."""
    from collections import Counter

    from webtext.dedup.clusters import Member, near_duplicate_survivors
    from webtext.dedup.minhash import Signer, exact_key
    from webtext.dedup.over_signatures import Signed, dedup_signed

    rng, texts = random.Random(5), []
    for base in range(40):
        words = " ".join(prose.article(random.Random(100 + base), 4)).split()
        texts.append((f"d{base:02d}-0", " ".join(words)))
        for copy in range(1, rng.randint(1, 6)):
            for _ in range(4):
                words[rng.randrange(len(words))] = "zebra"
            texts.append((f"d{base:02d}-{copy}", " ".join(words)))
    assert CONFIG.shingle_words == 5  # the reference's shingles
    reference = near_duplicate_survivors(texts, CONFIG.threshold, CONFIG.num_perm)
    signer = Signer(CONFIG.num_perm, CONFIG.shingle_words)
    signed = [
        Signed(exact_key(text), Member(doc_id, 0, 0), signer.signature(text).tobytes())
        for doc_id, text in texts
    ]
    rng.shuffle(signed)
    verdicts = dedup_signed(signed, CONFIG)
    assert {d.item: d.detail for d in verdicts.drops} == reference
    losers = Counter(reference.values())  # survivor -> members that lost to it
    assert max(losers.values()) >= 3 and len(losers) >= 20
    assert verdicts.stats[:-1] == [(("cluster_size", size), n) for size, n in
                                   sorted(Counter(n + 1 for n in losers.values()).items())]


def test_a_near_duplicate_verdict_that_raises_drops_that_document_alone_as_a_dedup_error(monkeypatch):
    """Beam's join of documents with their survivors (a step the units engine decides in its store) takes
    an exception as the dedup_error drop of the one document, and the rest are decided as ever."""
    import webtext.dedup.transforms as transforms

    original = transforms.near_duplicate_verdict

    def planted(doc_id, docs, survivors, *settings):
        if doc_id == "b1":
            raise ValueError("planted for the test")
        return original(doc_id, docs, survivors, *settings)

    monkeypatch.setattr(transforms, "near_duplicate_verdict", planted)
    with BeamTestPipeline(runner="FnApiRunner") as p:
        kept, drops = (p | beam.Create(DOCS) | DeduplicateDocuments(CONFIG))[:2]
        assert_that(kept | "Ids" >> beam.Map(lambda d: d.doc_id), equal_to(["a2"]), label="kept")
        assert_that(
            drops | "Why" >> beam.Map(lambda d: (d.reason, d.item)),
            equal_to([("exact_duplicate", "a1"), ("near_duplicate", "a3"), ("dedup_error", "b1")]),
            label="drops",
        )
