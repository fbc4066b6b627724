"""The two engines held to one account: the one Beam pipeline (--workers 0) and the units engine
(--workers 2) make the same shards, links, rejects and manifest, per-stage accounting by reason
included, from inputs made to tell them apart (helpers/telling_corpus.py) and from the real pages of
../shared/data. The one figure allowed to differ is named: `dedup.unconverged_nodes`, how many nodes
Beam's label-propagation rounds left to its exact final pass (the units engine's union-find has no
rounds); the clusters themselves are the same."""

import json

from helpers.corpus_files import assert_same_corpus, files
from helpers.telling_corpus import KEPT_TARGET, write_telling_corpus
from webtext.cli.main import run
from webtext.sample.paths import sample_dump, sample_warc

COMMON = ["--val_fraction", "0.2", "--docs_per_shard", "8", "--quiet", "--no_report"]
ENGINES = {"beam": ["--workers", "0"], "units": ["--workers", "2"]}


def build_both(tmp_path, inputs: list[str]) -> dict:
    outs = {}
    for name, flags in ENGINES.items():
        outs[name] = tmp_path / name
        assert run(["corpus", *inputs, *COMMON, *flags, "--out", str(outs[name])]) == 0, name
    return outs


def text_rows(out) -> list[dict]:
    import pyarrow.parquet as pq

    return [row for path in sorted(out.glob("text/*.parquet")) for row in pq.read_table(path).to_pylist()]


def test_engines_agree_on_inputs_made_to_tell_them_apart(tmp_path):
    extra = write_telling_corpus(tmp_path)
    inputs = ["--input", sample_dump(), "--warc", sample_warc(), "--dedup_rounds", "1"]
    inputs += [flag for path in extra["input"] for flag in ("--input", path)]
    inputs += [flag for path in extra["warc"] for flag in ("--warc", path)]
    outs = build_both(tmp_path, inputs)
    # The differences were there to find: the chain outran Beam's one round, which its final pass settled.
    beam_dedup = json.loads((outs["beam"] / "manifest.json").read_text())["dedup"]
    assert beam_dedup["unconverged_nodes"] >= 2
    assert_same_corpus(outs["beam"], outs["units"])
    assert json.loads((outs["units"] / "manifest.json").read_text())["dedup"]["examples"]
    # Only the units engine leaves how it went (_work/run.json): each stage's CPU seconds among it.
    assert not (outs["beam"] / "_work" / "run.json").exists()
    run_info = json.loads((outs["units"] / "_work" / "run.json").read_text())
    assert run_info["workers"] == 2
    stages = {row["stage"] for row in run_info["resources"]}
    assert stages >= {"read", "links", "extract", "filter", "tokenize"}
    rows = text_rows(outs["units"])
    chain = [row for row in rows if "/chain/" in row["url"]]
    assert len(chain) == 1 and chain[0]["final_url"].endswith("/chain/0/")  # one survivor: the best copy
    [moved] = [row for row in rows if "/moved" in row["url"]]
    assert moved["final_url"] == KEPT_TARGET  # the smaller record id's redirect, in either engine


def test_engines_agree_on_the_shared_real_pages(shared_data, tmp_path):
    inputs = ["--input", str(shared_data / "submissions.zst"), "--warc", str(shared_data / "pages.warc.gz")]
    outs = build_both(tmp_path, inputs)
    assert_same_corpus(outs["beam"], outs["units"])
    assert len(files(outs["units"])) >= 2 and text_rows(outs["units"])
