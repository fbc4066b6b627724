"""`webtext show`: one document with its provenance (the WARC record it was read from included), or one
dropped record with its stage and reason; plain text or JSON; the same pick for the same seed."""

import json

import pyarrow.parquet as pq
from warcio.archiveiterator import ArchiveIterator

from webtext.cli.main import run


def shown(capsys, *args) -> dict:
    assert run(["show", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def first_row(corpus) -> dict:
    path = sorted((corpus / "text").glob("train-*.parquet"))[0]
    return pq.read_table(path).slice(0, 1).to_pylist()[0]


def test_a_document_by_id_url_final_url_or_domain_with_its_warc_record(sample_corpus, capsys):
    row = first_row(sample_corpus)
    by_id = shown(capsys, str(sample_corpus), "--id", row["doc_id"])
    assert {key: by_id[key] for key in row} == row
    assert shown(capsys, str(sample_corpus), "--url", row["url"])["doc_id"] == row["doc_id"]
    assert shown(capsys, str(sample_corpus), "--url", row["final_url"])["doc_id"] == row["doc_id"]
    assert (
        shown(capsys, str(sample_corpus), "--domain", row["domain"], "--seed", "1")["domain"] == row["domain"]
    )
    # The WARC record named is the page's response.
    warc = by_id["warc"]
    with open(warc["path"], "rb") as stream:
        stream.seek(warc["offset"])
        record = next(iter(ArchiveIterator(stream)))
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Target-URI").rstrip("/").lower() in (
        row["final_url"].rstrip("/").lower(), row["url"].rstrip("/").lower())


def test_plain_text_names_the_provenance_and_holds_the_text(sample_corpus, capsys):
    row = first_row(sample_corpus)
    assert run(["show", str(sample_corpus), "--id", row["doc_id"]]) == 0
    out = capsys.readouterr().out
    for expected in (row["url"], row["final_url"], *row["submission_ids"], *row["subreddits"], "warc record",
                     row["text"][:200]):
        assert expected in out, expected


def test_a_random_pick_is_the_same_for_the_same_seed(sample_corpus, capsys):
    picks = [shown(capsys, str(sample_corpus), "--seed", str(seed))["doc_id"] for seed in (3, 3, 4, 5, 6)]
    assert picks[0] == picks[1] and len(set(picks)) > 1


def test_a_dropped_record_with_its_stage_reason_and_link(sample_corpus, capsys):
    drops = [json.loads(line) for path in (sample_corpus / "rejects").glob("*.jsonl")
             for line in path.read_text().splitlines()]
    low_karma = next(d for d in drops if d["reason"] == "low_karma")
    record = shown(capsys, str(sample_corpus), "--dropped", "--url", low_karma["item"])
    assert (record["stage"], record["reason"], record["item"]) == ("links", "low_karma", low_karma["item"])
    assert "min_karma" in record["meaning"]
    near = next(d for d in drops if d["reason"] == "near_duplicate")  # named by document id
    record = shown(capsys, str(sample_corpus), "--dropped", "--id", near["item"])
    assert record["reason"] == "near_duplicate" and record["detail"] == near["detail"]
    assert record["link"] is not None and record["warc"] is not None  # its page was read, then dropped


def test_nothing_found_is_a_clear_message_and_exit_1(sample_corpus, capsys):
    assert run(["show", str(sample_corpus), "--url", "https://nowhere.example/none"]) == 1
    assert "no document at https://nowhere.example/none" in capsys.readouterr().err
    assert run(["show", str(sample_corpus), "--dropped", "--url", "https://nowhere.example/none"]) == 1


def test_a_moved_corpus_shows_its_warc_records_where_they_are_now(tmp_path, capsys):
    """The index of WARC records is keyed by the files it describes and kept with the corpus: after a move
    (or beside another checkout's run of the same inputs) `show` names a WARC file that exists."""
    import shutil

    from webtext.sample.paths import sample_dump, sample_warc

    out = tmp_path / "a" / "out"
    (out / "warc").mkdir(parents=True)
    shutil.copy(sample_warc(), out / "warc" / "pages.warc.gz")
    assert run(["corpus", "--input", sample_dump(), "--warc", str(out / "warc" / "pages.warc.gz"),
                "--out", str(out), "--quiet", "--no_report", "--workers", "0"]) == 0
    row = first_row(out)
    warc = shown(capsys, str(out), "--id", row["doc_id"])["warc"]
    assert warc["path"] == str(out / "warc" / "pages.warc.gz")
    (tmp_path / "a").rename(tmp_path / "b")
    moved = tmp_path / "b" / "out"
    warc = shown(capsys, str(moved), "--id", row["doc_id"])["warc"]
    assert warc["path"] == str(moved / "warc" / "pages.warc.gz")
    assert (moved / "warc" / "pages.warc.gz").exists()


def test_list_pages_through_documents_by_domain_and_subreddit(sample_corpus, capsys):
    import pyarrow.parquet as pq_

    rows = [row for path in sorted((sample_corpus / "text").glob("*.parquet"))
            for row in pq_.read_table(path).to_pylist()]
    domain = rows[0]["domain"]
    by_domain = shown(capsys, str(sample_corpus), "--list", "--domain", domain)
    assert by_domain["total"] == sum(row["domain"] == domain for row in rows)
    ids = {r["doc_id"] for r in rows if r["domain"] == domain}
    assert {item["doc_id"] for item in by_domain["items"]} == ids
    subreddit = rows[0]["subreddits"][0]
    by_subreddit = shown(capsys, str(sample_corpus), "--list", "--subreddit", subreddit)
    assert by_subreddit["total"] == sum(subreddit in row["subreddits"] for row in rows)
    everything = shown(capsys, str(sample_corpus), "--list", "--limit", "1000")["items"]
    page = shown(capsys, str(sample_corpus), "--list", "--limit", "5", "--offset", "5")
    assert page["items"] == everything[5:10] and page["total"] == len(rows) == len(everything)
    assert run(["show", str(sample_corpus), "--list", "--limit", "5"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"documents 1-5 of {len(rows)}\n") and text.endswith("(more: --offset 5)\n")


def test_list_dropped_records_by_stage_and_reason(sample_corpus, capsys):
    rejects = [json.loads(line) for path in sorted((sample_corpus / "rejects").glob("*.jsonl"))
               for line in open(path, encoding="utf-8")]
    fetch = shown(capsys, str(sample_corpus), "--list", "--stage", "fetch", "--limit", "100")
    assert fetch["items"] == [d for d in rejects if d["stage"] == "fetch"]
    reason = rejects[0]["reason"]
    assert shown(capsys, str(sample_corpus), "--list", "--reason", reason)["total"] == \
        sum(d["reason"] == reason for d in rejects)
    assert run(["show", str(sample_corpus), "--list", "--limit", "0"]) == 2
