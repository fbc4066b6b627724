"""The dedup stage's settings."""

from dataclasses import dataclass

from webtext.settings import check, setting


@dataclass(frozen=True)
class DedupSettings:
    threshold: float = setting(0.8, "near-duplicate Jaccard threshold", flag="dedup_threshold",
                               check=lambda v: 0.0 < v < 1.0, must="be between 0 and 1 (exclusive)")
    verify: bool = setting(True, "count every LSH candidate pair, without checking its estimated Jaccard",
                           flag="dedup_verify", cli="no_switch")
    num_perm: int = setting(128, "MinHash permutations", check=lambda v: v >= 16, must="be at least 16")
    rounds: int = setting(
        12,
        "label-propagation rounds for duplicate clusters (Beam); what they leave is finished in one place",
        flag="dedup_rounds",
        check=lambda v: v >= 1,
        must="be >= 1",
    )
    shingle_words: int = setting(5, "words per shingle", cli="")

    def __post_init__(self):
        check(self)
