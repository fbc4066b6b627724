"""croissant.json: the corpus described in Croissant 1.0 (MLCommons' JSON-LD for ML datasets), with its
responsible-AI fields, so that dataset search engines and loaders (mlcroissant, TFDS, Hugging Face) know
its files, its record structure and what it is fit for. Written with the card (card.py), from the same
manifest and stats."""

import json
import os

from webtext.atomic import checksum
from webtext.report.columns import COLUMNS, pretty_name
from webtext.report.markdown import n

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "samplingRate": "cr:samplingRate",
    "equivalentProperty": "cr:equivalentProperty",
}
# The Parquet columns a record has, and their Croissant types (lists are left to the Parquet schema).
FIELDS = [
    ("doc_id", "sc:Text"),
    ("url", "sc:URL"),
    ("final_url", "sc:URL"),
    ("domain", "sc:Text"),
    ("title", "sc:Text"),
    ("text", "sc:Text"),
    ("karma", "sc:Integer"),
    ("first_seen_utc", "sc:Integer"),
    ("language", "sc:Text"),
    ("n_chars", "sc:Integer"),
    ("n_tokens", "sc:Integer"),
    ("published", "sc:Text"),
    ("sitename", "sc:Text"),
    ("fetched_at", "sc:Text"),
    ("source", "sc:Text"),
    ("archive_url", "sc:Text"),
]


def croissant(corpus: str, manifest: dict, stats: dict) -> dict:

    stages = manifest["stages"]
    files = [
        {
            "@type": "cr:FileObject",
            "@id": name,
            "name": name,
            "contentUrl": name,
            "encodingFormat": "application/json",
            "sha256": checksum(os.path.join(corpus, name))[1],
            "description": what,
        }
        for name, what in (
            ("manifest.json", "how the corpus was made: settings, inputs, per-stage counts"),
            ("stats.json", "distributions, top domains and subreddits"),
        )
        if os.path.exists(os.path.join(corpus, name))
    ]
    files += [
        {
            "@type": "cr:FileSet",
            "@id": "text-shards",
            "name": "text-shards",
            "includes": "text/*.parquet",
            "encodingFormat": "application/x-parquet",
            "description": "the documents with their provenance, a shard a file, <split>-<index>-of-<count>",
        },
        {
            "@type": "cr:FileSet",
            "@id": "token-shards",
            "name": "token-shards",
            "includes": "tokens/*.arrow",
            "encodingFormat": "application/vnd.apache.arrow.file",
            "description": "the same documents as GPT-2 token ids (doc_id, tokens: list<uint16>, end-of-text "
            "after each), for training",
        },
    ]
    fields = [{"@type": "cr:Field", "@id": f"documents/{name}", "name": name, "description": COLUMNS[name],
               "dataType": kind, "source": {"fileSet": {"@id": "text-shards"}, "extract": {"column": name}}}
              for name, kind in FIELDS]
    replayed = manifest["config"]["fetch"]["mode"] == "replay"
    how_fetched = "read back from WARC files" if replayed else "fetched"
    fields.append({"@type": "cr:Field", "@id": "documents/split", "name": "split", "dataType": "sc:Text",
                   "description": "train or validation: from the shard's file name",
                   "source": {"fileSet": {"@id": "text-shards"}, "extract": {"fileProperty": "filename"},
                              "transform": {"regex": "^([a-z]+)-[0-9]+-of-[0-9]+\\.parquet$"}}})
    dropped = {stage: sum(s["dropped"].values()) for stage, s in stages.items()}
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": "webtext-corpus",
        "description": (
            f"{pretty_name(manifest)}: the text of web pages linked from Reddit submissions, as WebText was "
            f"built for GPT-2; {n(manifest['documents'])} documents, {n(manifest['tokens'])} GPT-2 tokens. "
            "See "
            f"README.md."
        ),
        "license": "other",
        "url": "https://github.com/webtext/webtext",
        "version": manifest["versions"]["webtext"],
        "citeAs": "@misc{webtext, title = {webtext: an open, reproducible rebuild of GPT-2's WebText "
                  "corpus}, "
        "howpublished = {\\url{https://github.com/webtext/webtext}}}",
        "keywords": ["webtext", "reddit", "language modeling", "gpt-2"],
        "inLanguage": sorted(stats.get("languages", {})) or ["en"],
        "distribution": files,
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "documents",
                "name": "documents",
                "description": "one row per document",
                "key": {"@id": "documents/doc_id"},
                "field": fields,
            }
        ],
        "rai:dataCollection": (
            "Reddit submissions (Pushshift dumps, URL lists or the Reddit API) with enough karma give "
            f"links; the linked pages were {how_fetched} "
            "(robots.txt honoured, one connection per host), their main text extracted with trafilatura."
        ),
        "rai:dataCollectionType": ["Web Scraping", "Secondary Data Analysis"],
        "rai:dataPreprocessingProtocol": (
            "Wikipedia, short, non-"
            + "/".join(sorted(stats.get("languages", {})) or ["en"])
            + " and junk pages "
            "filtered; exact and MinHash near-duplicates removed; GPT-2 BPE tokenization. Dropped per stage: "
            + ", ".join(f"{stage} {n(count)}" for stage, count in dropped.items() if count)
            + "; every drop is listed with its reason in rejects/."
        ),
        "rai:dataLimitations": (
            "Pages as Reddit users chose and voted for them; extraction and filters err both ways; dead "
            "links "
            "are gone or replaced by archived copies (fetched_at dates them)."
        ),
        "rai:dataBiases": (
            "Reddit's users (English-speaking, mostly North American, younger, more often male) and their "
            "subreddits decide what is in; a few large sites hold a large share (see README.md)."
        ),
        "rai:personalSensitiveInformation": (
            "Public web pages: names, quotes and sometimes contact details of people. Nothing was removed "
            "for "
            "privacy; Reddit user names are not included."
        ),
        "rai:dataUseCases": "Pre-training and evaluating language models; research on web text and its "
                            "curation.",
        "rai:dataSocialImpact": (
            "Models trained on it inherit its biases and may reproduce personal information; the pages "
            "belong to "
            "their authors."
        ),
    }


def croissant_json(corpus: str, manifest: dict, stats: dict) -> str:
    return json.dumps(croissant(corpus, manifest, stats), indent=2, ensure_ascii=False) + "\n"
