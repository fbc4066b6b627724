"""The per-record chain (engines/record_chain.py) without Beam: its steps in one loop give each page the
outcome the stages' own functions give it alone, whatever the batches it comes in; every record is
counted once, by the stage that decided it."""

import random
from collections import Counter

import pytest

from webtext.dedup.clusters import member_of
from webtext.dedup.minhash import exact_key
from webtext.engines.config import CorpusConfig
from webtext.engines.record_chain import PER_RECORD, RecordChain
from webtext.engines.units.unit_dir import Tally
from webtext.extract.extractor import extract_document
from webtext.filters.rules import filter_document
from webtext.records import Document, Drop, FetchResult, Link
from webtext.sample import prose

CONFIG = CorpusConfig(url_lists=("urls.txt",))


def page(i: int, html: str) -> FetchResult:
    url = f"https://site{i}.example/a"
    link = Link(url, url, 9, (f"s{i}",), (9,), ("news",), 1400000000 + i)
    return FetchResult(link, 200, url, "text/html", "utf-8", html, "replay:<urn:x>")


def pages() -> list[FetchResult]:
    """Articles, a copy of one (dedup's business, not the chain's: both are signed), a page with no
    text (an extract drop), a short one (a filter drop)."""
    rng = random.Random(3)
    htmls = [prose.page_html(f"Page {i}", f"site{i}.example", prose.article(rng, 3), rng) for i in range(7)]
    htmls += [htmls[0], prose.SCRIPT_SHELL, "<html><body><article><p>Too short.</p></article></body></html>"]
    return [page(i, html) for i, html in enumerate(htmls)]


def run_chain(results: list[FetchResult], sizes: list[int], clock: Tally) -> tuple[list, Counter]:
    """The chain over `results` pushed in batches of `sizes` (cycled), then flushed: (what the last step
    kept, how many outcomes each stage counted)."""
    steps = [PER_RECORD[0](CONFIG, batch_pages=1), *(make(CONFIG) for make in PER_RECORD[1:])]
    counted: Counter = Counter()

    def count(stage: str, outcomes: list) -> list:
        counted[stage] += len(outcomes)
        return [o for o in outcomes if not isinstance(o, Drop)]

    chain, kept, at = RecordChain(steps, count, clock), [], 0
    try:
        while at < len(results):
            size = sizes[len(kept) % len(sizes)]
            kept += chain.push(results[at:at + size])
            at += size
        kept += chain.flush()
    finally:
        steps[0].close()
    return kept, counted


@pytest.mark.parametrize("sizes", [[1], [3], [16], [2, 5, 1]])
def test_the_chain_gives_each_page_what_the_stages_give_it_alone(sizes, tmp_path):
    results = pages()
    alone = {}
    for result in results:
        doc = extract_document(result)
        if isinstance(doc, Document):
            decided = filter_document(doc, CONFIG.filters)
            if isinstance(decided, Document):
                alone[doc.doc_id] = decided
    kept, counted = run_chain(results, sizes, Tally(str(tmp_path)))
    assert sorted(doc.doc_id for doc, _ in kept) == sorted(alone)
    for doc, signed in kept:
        assert doc == alone[doc.doc_id]
        assert signed.exact_key == exact_key(doc.text) and signed.member == member_of(doc)
        assert len(signed.signature) == CONFIG.dedup.num_perm * 4  # uint32 a permutation
    # every page extracted once, every document filtered once, every kept one signed once
    extracted = len(results)
    assert counted == {"extract": extracted, "filter": extracted - 1, "dedup": len(alone)}


def test_a_step_that_holds_records_hands_them_on_at_the_flush(tmp_path):
    """Filtering waits for a full batch (32 documents): with fewer, nothing comes out until the flush,
    and then all of it, through the sign step."""
    results = pages()
    steps = [PER_RECORD[0](CONFIG, batch_pages=1), *(make(CONFIG) for make in PER_RECORD[1:])]
    clock = Tally(str(tmp_path))
    chain = RecordChain(steps, lambda _, outcomes: [o for o in outcomes if not isinstance(o, Drop)], clock,
                        cpu_names={"dedup": "signatures"})
    try:
        assert chain.push(results) == []
        flushed = chain.flush()
    finally:
        steps[0].close()
    assert len(flushed) == 8 and all(isinstance(doc, Document) for doc, _ in flushed)
    assert set(clock.cpu_s) == {"extract", "filter", "signatures"}
