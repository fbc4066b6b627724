"""The tokenize stage's settings: the splits and the shards."""

from dataclasses import dataclass

from webtext.settings import check, setting


@dataclass(frozen=True)
class ShardSettings:
    val_fraction: float = setting(0.005, "share of documents in the validation split",
                                  check=lambda v: 0.0 <= v < 1.0, must="be in [0, 1)")
    min_val_documents: int = setting(
        8,
        "the validation split gets at least this many documents, at most a fifth of all",
        check=lambda v: v >= 0,
        must="be >= 0",
    )
    docs_per_shard: int = setting(10_000, "documents per shard file", check=lambda v: v >= 1, must="be >= 1")

    def __post_init__(self):
        check(self)
