"""The validation split: val_fraction of the documents by their ids' hashes, but never too few to evaluate
on."""

from webtext.tokenize.splits import SPLIT_RESOLUTION, split_cutoff, split_of, validation_bucket


def test_the_cutoff_is_val_fraction_when_that_gives_enough_documents():
    assert split_cutoff(0.2, [1, 2, 3], documents=1000, min_documents=3) == 0.2 * SPLIT_RESOLUTION


def test_a_small_corpus_gets_its_minimum_validation_documents_by_smallest_bucket():
    ids = [f"doc{i}" for i in range(40)]
    buckets = sorted(validation_bucket(i) for i in ids)
    cutoff = split_cutoff(0.005, buckets[:8], documents=40, min_documents=8)
    validation = [i for i in ids if split_of(i, cutoff) == "validation"]
    assert sorted(validation_bucket(i) for i in validation) == buckets[:8]


def test_the_minimum_never_takes_more_than_a_fifth_and_nothing_of_a_tiny_corpus():
    # 10 // 5 = 2 documents: bucket < 10
    assert split_cutoff(0.0, [5, 9, 30], documents=10, min_documents=8) == 10
    assert split_cutoff(0.0, [5, 9, 30], documents=4, min_documents=8) == 0.0
