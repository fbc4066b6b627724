"""The filter stage's settings."""

from dataclasses import dataclass

from webtext.filters.presets import PRESETS
from webtext.settings import check, setting


def _eval_set_spec(spec: str) -> bool:
    name, _, path = spec.partition("=")
    return bool(name and path)


@dataclass(frozen=True)
class FilterSettings:
    min_words: int = setting(64, "drop documents with fewer words", check=lambda v: v >= 0, must="be >= 0")
    languages: tuple[str, ...] = setting(
        ("en",), "language codes to keep (py3langid); '' keeps all", cli="comma"
    )
    preset: str = setting(
        "webtext",
        "junk rules after the language filter: webtext (only what is not prose), "
        "gopher (those plus Gopher's quality and repetition rules, which drop some real "
        "articles), none",
        flag="filters",
        choices=tuple(PRESETS),
        check=lambda v: v in PRESETS,
        must=f"be one of {', '.join(PRESETS)}",
    )
    decontaminate: tuple[str, ...] = setting(
        (), "drop documents whose 8-grams overlap this eval set (text/jsonl/parquet) by more than "
            "--decontaminate_threshold", cli="repeat", metavar="NAME=PATH",
        check=lambda v: all(map(_eval_set_spec, v)), must="be NAME=PATH")
    decontaminate_threshold: float = setting(
        0.5,
        "share of a document's 8-grams in the eval sets past which it is dropped",
        check=lambda v: 0.0 <= v < 1.0,
        must="be in [0, 1)",
    )

    filter_module: str = setting(
        "", "your own filter, after the built-in rules: package.module:function, a function from a Document "
            "to None or True (keep), False or a reason (drop, counted as user_<reason>)",
        metavar="MODULE:FUNCTION", check=lambda v: not v or ":" in v, must="be package.module:function")

    def __post_init__(self):
        check(self)
