"""The corpus configuration: the run's inputs and outputs, and each stage's own settings section.

Every field is recorded in manifest.json (`to_json`: one object per section), so a corpus says
exactly how it was made. The sections, their defaults, help and checks live beside their stages;
this module only composes them.
"""

import dataclasses
from dataclasses import dataclass, field

from webtext.crawl.settings import FetchSettings
from webtext.dedup.settings import DedupSettings
from webtext.extract.settings import ExtractSettings
from webtext.filters.settings import FilterSettings
from webtext.settings import ConfigError, flag_of
from webtext.sources.settings import LinkRules
from webtext.tokenize.settings import ShardSettings

SECTIONS = {"links": LinkRules, "fetch": FetchSettings, "extract": ExtractSettings, "filters": FilterSettings,
            "dedup": DedupSettings, "shards": ShardSettings}


@dataclass(frozen=True)
class CorpusConfig:
    inputs: tuple[str, ...] = ()  # Pushshift dumps (.zst/.jsonl/.gz/.xz/.bz2), paths or globs
    url_lists: tuple[str, ...] = ()  # plain URL lists, one per line
    reddit_listings: tuple[str, ...] = ()  # praw listings, "subreddit[:sort[:time_filter[:limit]]]"
    rescore: bool = False  # refresh counted submissions' scores through the Reddit API
    reddit_api_url: str = ""  # replaces Reddit's API endpoints (a proxy; the tests' loopback fake)
    out: str = "out"
    # a stage whose <stage>_error drops exceed this share of its input fails the run
    max_error_share: float = 0.01
    accept_damaged_inputs: bool = False  # inputs read only in part: a warning, not exit 3
    keep_dropped_text: bool = False  # the text of documents the filter and dedup stages drop, in rejects/
    links: LinkRules = field(default_factory=LinkRules)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    filters: FilterSettings = field(default_factory=FilterSettings)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    shards: ShardSettings = field(default_factory=ShardSettings)

    def __post_init__(self):
        if not self.inputs and not self.url_lists and not self.reddit_listings:
            raise ConfigError("no input: give --input with Pushshift dumps, --urls with a URL list "
                              "or --reddit_listing")
        if not 0.0 <= self.max_error_share <= 1.0:
            raise ConfigError("--max_error_share must be in [0, 1]")

    @classmethod
    def from_flags(cls, **values) -> "CorpusConfig":
        """A config from flat names, as the command line spells them (`warc=`, `fetch="live"`,
        `dedup_threshold=`) or as the sections name their fields: each goes to its section."""
        sections: dict[str, dict] = {name: {} for name in SECTIONS}
        top = {f.name for f in dataclasses.fields(cls)} - set(SECTIONS)
        run = {key: values.pop(key) for key in list(values) if key in top}
        for key, value in values.items():
            owners = [
                (name, f.name)
                for name, section in SECTIONS.items()
                for f in dataclasses.fields(section)
                if key in (f.name, flag_of(f))
            ]
            if not owners:
                raise TypeError(f"no setting is called {key!r}")
            name, field_name = owners[0]
            sections[name][field_name] = value
        return cls(**run, **{name: SECTIONS[name](**given) for name, given in sections.items()})

    def to_json(self) -> dict:
        return dataclasses.asdict(self)
