"""`webtext corpus --reddit_listing … --rescore` against the loopback fake Reddit API, pages replayed from
WARC."""

import pytest

from helpers.fake_reddit import fake_reddit, t3
from webtext.cli.main import run
from webtext.sample.generate import build_sample
from webtext.sample.paths import sample_warc
from webtext.shards.reader import read_manifest


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("praw_client_id", "id")
    monkeypatch.setenv("praw_client_secret", "secret")


def test_listing_and_rescoring_feed_the_pipeline(credentials, tmp_path):
    keep = [p.url for p in build_sample()[0] if p.scenario == "keep"][:4]
    listing = [t3(f"r{i}", score=1, url=url, created=1_450_000_000.0 + i) for i, url in enumerate(keep)]
    # Posted with 1 point each; today two of them have 40.
    with fake_reddit(listing=listing, scores={"r0": 40, "r1": 40, "r2": 1, "r3": 2}) as (base, fake):
        out = tmp_path / "out"
        assert run(["corpus", "--reddit_listing", "news:top:all", "--rescore", "--reddit_api_url", base,
                    "--warc", sample_warc(), "--out", str(out), "--quiet"]) == 0
    manifest = read_manifest(str(out))
    assert manifest["stages"]["read"]["in"] == 4
    assert manifest["stages"]["links"] == {"in": 4, "kept": 2, "dropped": {"low_karma": 2}, "balanced": True}
    assert manifest["documents"] == 2
    assert "/api/info" in fake.requests


def test_missing_credentials_stop_the_run_with_what_to_set(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    for key in ("client_id", "client_secret"):
        monkeypatch.delenv(f"praw_{key}", raising=False)
    assert run(["corpus", "--reddit_listing", "news", "--reddit_api_url", "http://127.0.0.1:9",
                "--warc", sample_warc(), "--out", str(tmp_path / "o")]) == 2
    assert "praw_client_id" in capsys.readouterr().err
