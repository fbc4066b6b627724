"""DeduplicateDocuments on the in-process Beam runner: same survivors whatever the input order."""

import random

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from webtext.config import CorpusConfig
from webtext.dedup.transforms import DeduplicateDocuments
from webtext.records import Document
from webtext.sample import prose

CONFIG = CorpusConfig(inputs=("x",), warc=("y",))
BASE = " ".join(prose.article(random.Random(11), 4))
OTHER = " ".join(prose.article(random.Random(12), 4))


def doc(doc_id, text, karma):
    return Document(doc_id, f"https://e.com/{doc_id}", "", "e.com", "", text, karma, (), (), 1, "en")


DOCS = [doc("a1", BASE, 3), doc("a2", BASE.upper(), 9), doc("a3", BASE.replace("the", "a", 1), 5),
        doc("b1", OTHER, 1)]


def run_dedup(docs):
    with BeamTestPipeline(runner="FnApiRunner") as p:
        kept, drops = p | beam.Create(docs) | DeduplicateDocuments(CONFIG)
        assert_that(kept | "Ids" >> beam.Map(lambda d: d.doc_id), equal_to(["a2", "b1"]), label="kept")
        assert_that(drops | "Why" >> beam.Map(lambda d: (d.reason, d.item, d.detail.split()[0])),
                    equal_to([("exact_duplicate", "a1", "a2"), ("near_duplicate", "a3", "a2")]), label="drops")


def test_survivors_are_the_same_in_any_order():
    run_dedup(DOCS)
    run_dedup(list(reversed(DOCS)))
