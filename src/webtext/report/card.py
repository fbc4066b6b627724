"""The corpus's dataset card: README.md with Hugging Face's YAML metadata, written by code from
manifest.json and stats.json, so that no number in it is typed by hand (a card that drifts from its
data is worse than none). The output folder is then a dataset repository as it stands:
`datasets.load_dataset(OUT)` finds the train and validation Parquet shards through `configs`."""

import os

import yaml

from webtext.reasons import STAGES, describe, error_reason
from webtext.report.columns import COLUMNS, pretty_name
from webtext.report.croissant import croissant_json
from webtext.report.markdown import md_code, md_text, n, table
from webtext.utc import utc_time

CARD_NAME = "README.md"
# Hugging Face's size buckets, by document count.
SIZE_CATEGORIES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B")]
def size_category(documents: int) -> str:
    return next((name for limit, name in SIZE_CATEGORIES if documents < limit), "n>1B")


def _languages(manifest: dict, stats: dict) -> list[str]:
    kept = (
        manifest["config"].get("filters", {}).get("languages") or list(stats.get("languages", {})) or ["en"]
    )
    return sorted(kept)


def metadata(manifest: dict, stats: dict) -> dict:
    """The card's YAML header (Hugging Face's dataset card fields)."""
    splits = sorted(manifest["splits"])
    return {
        "pretty_name": pretty_name(manifest),
        "language": _languages(manifest, stats),
        "license": "other",
        "license_name": "pages-belong-to-their-authors",
        "task_categories": ["text-generation"],
        "size_categories": [size_category(manifest["documents"])],
        "tags": ["webtext", "reddit", "gpt-2"],
        "configs": [
            {
                "config_name": "default",
                "default": True,
                "data_files": [{"split": split, "path": f"text/{split}-*.parquet"} for split in splits],
            }
        ],
    }


def render_card(manifest: dict, stats: dict) -> str:
    """README.md of the corpus folder: YAML metadata, then the card."""
    config, stages = manifest["config"], manifest["stages"]
    links = config.get("links", {})
    lines = [
        "---",
        yaml.safe_dump(metadata(manifest, stats), sort_keys=False, allow_unicode=True).rstrip(),
        "---",
        "",
        f"# {pretty_name(manifest)}",
        "",
    ]
    lines += [
        f"A WebText-style corpus: the text of the web pages that Reddit submissions linked, as OpenAI "
        f"built WebText for GPT-2. It holds {n(manifest['documents'])} documents and {n(manifest['tokens'])} "
        f"GPT-2 tokens (an end-of-text token after each document included; {n(manifest['text_bytes'])} bytes "
        f"of text), each traceable to the {_traced_to(manifest)}. It was built by "
        f"[webtext](https://github.com/webtext/webtext) from its inputs by the command below; every number "
        f"in this card was written by `webtext card` from `manifest.json` and "
        f"`stats.json`, which sit beside it.",
        "",
    ]
    lines += ["## Files", ""]
    lines += table(
        ["path", "what"],
        [
            ["`text/<split>-*.parquet`", "the documents with their provenance (the `default` config)"],
            [
                "`tokens/<split>-*.arrow`",
                "the same documents as GPT-2 token ids (Arrow IPC; end-of-text after each)",
            ],
            [
                "`manifest.json`",
                "how the corpus was made: settings, inputs with checksums, per-stage counts, shards",
            ],
            ["`stats.json`, `report.html`", "distributions, top domains and subreddits, samples"],
            ["`links/`, `rejects/`", "every link, and every record dropped with its stage and reason"],
            ["`croissant.json`", "Croissant 1.0 metadata, responsible-AI fields included"],
        ],
    )
    lines += ["Each Parquet row:", ""]
    lines += table(["column", "what"], [[f"`{name}`", what] for name, what in COLUMNS.items()])
    lines += ["## Splits", ""]
    lines += table(["split", "documents", "tokens", "text bytes", "shards"],
                    [[split, n(s["documents"]), n(s["tokens"]), n(s["text_bytes"]), n(s["shards"])]
                     for split, s in sorted(manifest["splits"].items())])
    lines += [
        "A document's split is fixed by a hash of its id, so it never moves when the corpus is rebuilt.",
        "",
    ]
    lines += _how_built(manifest, stats, links)
    lines += ["## What was removed, and why", ""]
    lines += table(["stage", "in", "kept", "dropped"],
                    [[stage, n(stages[stage]["in"]), n(stages[stage]["kept"]),
                      n(sum(stages[stage]["dropped"].values()))] for stage in STAGES if stage in stages])
    lines += table(
        ["stage", "reason", "records", "meaning"],
        [
            [stage, f"`{reason}`", n(count), describe(stage, reason)]
            for stage in STAGES
            if stage in stages
            for reason, count in sorted(stages[stage]["dropped"].items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    )
    errors = {stage: stages[stage]["dropped"].get(error_reason(stage), 0) for stage in stages}
    if any(errors.values()):
        lines += [
            "Drops whose reason ends in `_error` were exceptions, possibly bugs in webtext, not faults of "
            "the records.",
            "",
        ]
    lines += _contents(stats, _from_submissions(manifest))
    lines += _dedup(manifest)
    lines += _limitations(manifest, stats)
    lines += _personal_and_licence()
    return "\n".join(lines).rstrip() + "\n"


def _how_built(manifest: dict, stats: dict, links: dict) -> list[str]:
    config = manifest["config"]
    lines = ["## How it was built", ""]
    if manifest.get("command"):
        lines += ["```sh", manifest["command"], "```", ""]
    lines += [_which_links(manifest, links) + f" Pages: `{config['fetch']['mode']}`"
              + (" (read back from WARC files)" if config["fetch"]["mode"] == "replay" else "")
              + ", text extracted with trafilatura, then the filters (Wikipedia, length, language"
              + (f", the `{config['filters']['preset']}` junk rules" if config["filters"].get("preset")
                 else "")
              + "), near-duplicates removed with MinHash, and the rest tokenized with GPT-2's BPE.", ""]
    first_seen = stats.get("first_seen_utc") or {}
    if _from_submissions(manifest) and first_seen.get("min"):  # a URL list's links have no submission time
        lines += [
            "The kept documents were first submitted to Reddit between "
            f"{utc_time(first_seen['min'], minutes=False)} and "
            f"{utc_time(first_seen['max'], minutes=False)}.",
            "",
        ]
    inputs = [
        (kind, item) for kind in ("dumps", "url_lists", "warc") for item in manifest["inputs"].get(kind, [])
    ]
    lines += table(["input", "kind", "bytes", "sha256"],
                    [[md_code(item["path"]), kind, n(item["bytes"]), f"`{item['sha256'][:16]}…`"]
                     for kind, item in inputs])
    lines += [
        "Versions: "
        + ", ".join(f"{name} {version}" for name, version in sorted(manifest["versions"].items()))
        + ". Every setting is in `manifest.json` (`config`); the same inputs, settings and versions give "
        "the same shards, byte for byte.",
        "",
    ]
    return lines


def _from_submissions(manifest: dict) -> bool:
    """Whether the links came from Reddit submissions (dumps, API listings), which have scores and times."""
    return bool(manifest["inputs"].get("dumps") or manifest["config"].get("reddit_listings"))


def _traced_to(manifest: dict) -> str:
    lists = bool(manifest["inputs"].get("url_lists"))
    if _from_submissions(manifest):
        return "submissions that linked it" + (" or the URL list that named it" if lists else "")
    return "URL list that named it"


def _which_links(manifest: dict, links: dict) -> str:
    """Which links the corpus was made of, saying only the rules that applied to them: a URL list has no
    karma or submission time, so neither rule touched its URLs."""
    parts = []
    if _from_submissions(manifest):
        parts.append(
            f"every http(s) URL of a Reddit submission with at least {n(links.get('min_karma', 0))} karma"
            + (f", submitted before {utc_time(links['cutoff_utc'], minutes=False)}" if links.get("cutoff_utc")
               else ""))
    if manifest["inputs"].get("url_lists"):
        count = len(manifest["inputs"]["url_lists"])
        parts.append(f"every http(s) URL of {n(count)} URL list{'s' if count != 1 else ''} (no karma or date "
                     "rule: a list has neither)")
    return "Links: " + "; and ".join(parts) + ", one link per canonical URL."


def _quantile_row(name: str, quantiles: dict) -> list:
    """A row of quantiles; "–" where a corpus too small (or empty) has none."""
    return [name, *(n(round(quantiles[key])) if quantiles.get(key) is not None else "–"
                    for key in ("min", "p10", "median", "mean", "p90", "max"))]


def _contents(stats: dict, from_submissions: bool = True) -> list[str]:
    lines = ["## What it holds", ""]
    rows = [_quantile_row("GPT-2 tokens", stats.get("length_quantiles") or {})]
    if from_submissions:  # a URL list's links have no karma
        rows.append(_quantile_row("karma", stats.get("karma_quantiles") or {}))
    lines += table(["per document", "min", "p10", "median", "mean", "p90", "max"], rows)
    lines += ["Top domains and subreddits (a document counts once for each of its subreddits):", ""]
    for heading, counts in (("domain", stats["top_domains"]), ("subreddit", stats["top_subreddits"]),
                            ("where the bytes came from", stats["sources"].items()),
                            ("language", stats["languages"].items())):
        lines += table([heading, "documents"], [[md_text(name), n(count)] for name, count in counts])
    return lines


def _dedup(manifest: dict) -> list[str]:
    dedup, dropped = manifest["dedup"], manifest["stages"].get("dedup", {}).get("dropped", {})
    lines = [
        "## Deduplication",
        "",
        f"Exact duplicates (the same normalised text) and near-duplicates (MinHash over "
        f"{n(dedup['shingle_words'])}-word shingles, {n(dedup['num_perm'])} permutations, "
        f"{n(dedup['bands'])} "
        f"bands of {n(dedup['rows'])} rows; an estimated Jaccard similarity of at least "
        f"{dedup['threshold']}) "
        f"were removed, keeping the best-ranked document of each group (highest karma, then earliest "
        f"submission): {n(dropped.get('exact_duplicate', 0))} exact and "
        f"{n(dropped.get('near_duplicate', 0))} "
        f"near-duplicates.",
        "",
    ]
    if dedup.get("cluster_sizes"):
        lines += table(["documents in a near-duplicate group", "groups"],
                        [[size, n(count)] for size, count in sorted(dedup["cluster_sizes"].items(),
                                                                   key=lambda kv: int(kv[0]))])
    if dedup.get("examples"):
        lines += ["For example (the report shows their texts side by side):", ""]
        lines += table(
            ["dropped", "kept in its place", "estimated Jaccard"],
            [
                [md_text(example["dropped"]["url"]), md_text(example["kept"]["url"]),
                 f"{example['estimated_jaccard']:.2f}"]
                for example in dedup["examples"]
            ],
        )
    return lines


def _limitations(manifest: dict, stats: dict) -> list[str]:
    stages, documents = manifest["stages"], max(1, manifest["documents"])
    top = stats["top_domains"][:10]
    fetch = stages.get("fetch", {})
    archived = sum(count for source, count in stats["sources"].items() if source != "live")
    languages = ", ".join(_languages(manifest, stats))
    lines = [
        "## Known limitations and biases",
        "",
        "- **Who posts on Reddit.** A page is here because Reddit users linked it and others voted for it: "
        "the corpus leans to what those users read (English-speaking, mostly North American, younger and "
        "more often male than the population), to news, technology and entertainment, and to the "
        "subreddits above.",
        f"- **A few sites weigh a lot.** The {n(len(top))} largest domains hold "
        f"{n(sum(count for _, count in top))} of the {n(manifest['documents'])} documents "
        f"({100 * sum(count for _, count in top) / documents:.1f}%).",
        f"- **The language filter** kept {languages} text only (identified by py3langid); pages in other "
        "languages, and mixed-language pages, are gone "
        f"({n(stages.get('filter', {}).get('dropped', {}).get('language', 0))} "
        f"dropped for their language).",
        f"- **Dead links and archived copies.** Of {n(fetch.get('in', 0))} links, "
        f"{n(sum(fetch.get('dropped', {}).values()))} gave no usable page (the fetch drops above: gone, "
        "refused, "
        f"not text, or not in the WARC files replayed); {n(archived)} documents are archived copies "
        "(Wayback Machine, Common Crawl) rather than the page as it is today, dated by `fetched_at`.",
        "- **Extraction and filters err.** trafilatura may keep boilerplate or lose part of an article; the "
        "filters drop some good pages and keep some junk (the drop reasons above say how many each dropped).",
        "- **Not fit for** judging facts about people, training without further filtering of toxic or "
        "private content, or any use the pages' licences forbid.",
        "",
    ]
    return lines


def _personal_and_licence() -> list[str]:
    return [
        "## Personal and sensitive information",
        "",
        "The pages are public web pages, and hold what such pages hold: names, quotes and photographs' "
        "captions of people, sometimes contact details. Nothing was removed for privacy; Reddit user names "
        "are not in the corpus (submission ids are). Whoever publishes or trains on it answers for that.",
        "",
        "## Licence",
        "",
        "`license: other`. The pages belong to their authors and publishers, each under its own terms; this "
        "folder gives no licence to them. The metadata webtext made (ids, counts, the card) may be used "
        "freely. Use the text as the law where you are allows for research on web text (e.g. text and data "
        "mining exceptions), and honour takedown requests.",
        "",
        "## Citation",
        "",
        "```bibtex",
        "@misc{webtext,",
        "  title = {webtext: an open, reproducible rebuild of GPT-2's WebText corpus},",
        "  howpublished = {\\url{https://github.com/webtext/webtext}}",
        "}",
        "@techreport{radford2019language,",
        "  title = {Language Models are Unsupervised Multitask Learners},",
        "  author = {Radford, Alec and Wu, Jeffrey and Child, Rewon and Luan, David and Amodei, Dario and "
        "Sutskever, Ilya},",
        "  institution = {OpenAI}, year = {2019}",
        "}",
        "```",
    ]


def card_for(corpus: str, to: str | None = None, workers: int = 1) -> list[str]:
    """`webtext card`: the card and croissant.json of a corpus, from its manifest and stats.json (made, and
    written beside the card, where the corpus has none: a run with --no_report)."""
    import json

    from webtext.shards.reader import read_manifest

    manifest = read_manifest(corpus)
    stats_path = os.path.join(corpus, "stats.json")
    if os.path.exists(stats_path):
        with open(stats_path, encoding="utf-8") as stream:
            stats = json.load(stream)
        return write_card(corpus, stats, manifest, to)
    from webtext.report.html import write_stats
    from webtext.report.stats import corpus_stats, stats_json

    stats = stats_json(corpus_stats(corpus, workers=workers))
    os.makedirs(to or corpus, exist_ok=True)
    made = os.path.join(to or corpus, "stats.json")
    write_stats(made, stats)
    return [made, *write_card(corpus, stats, manifest, to)]


def write_card(corpus: str, stats: dict, manifest: dict, to: str | None = None) -> list[str]:
    """README.md and croissant.json into `to` (default: the corpus folder); returns their paths."""
    from webtext.atomic import write_atomically

    target = to or corpus
    os.makedirs(target, exist_ok=True)
    card, metadata_path = os.path.join(target, CARD_NAME), os.path.join(target, "croissant.json")
    write_atomically(card, render_card(manifest, stats).encode("utf-8"))
    write_atomically(metadata_path, croissant_json(corpus, manifest, stats).encode("utf-8"))
    return [card, metadata_path]
