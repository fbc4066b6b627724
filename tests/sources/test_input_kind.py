"""A file given to the wrong flag is refused before the run with one line naming the right flag."""

import gzip
import shutil

import pytest
import zstandard

from webtext.cli.main import run
from webtext.sample.paths import sample_dump, sample_warc
from webtext.sources.input_kind import DUMP, URLS, WARC, kind_of


def test_kinds_are_told_apart_by_their_first_bytes_whatever_the_compression(tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text("\n\nhttps://example.com/a\n")
    zipped = tmp_path / "urls.txt.gz"
    zipped.write_bytes(gzip.compress(urls.read_bytes()))
    plain_dump = tmp_path / "RS.jsonl"
    plain_dump.write_bytes(zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(
        open(sample_dump(), "rb")).read())
    assert [kind_of(str(p)) for p in (urls, zipped, plain_dump)] == [URLS, URLS, DUMP]
    assert kind_of(sample_dump()) == DUMP and kind_of(sample_warc()) == WARC
    (tmp_path / "notes.txt").write_text("just some notes\n")
    assert kind_of(str(tmp_path / "notes.txt")) is None  # nothing to say: its reader counts its lines


@pytest.mark.parametrize("flag, given, right", [
    ("--input", "warc", "--warc"), ("--input", "urls", "--urls"), ("--urls", "dump", "--input"),
    ("--warc", "dump", "--input")])
def test_a_file_given_to_the_wrong_flag_is_one_line_naming_the_right_one(
        tmp_path, capsys, flag, given, right):
    files = {"warc": tmp_path / "pages.warc.gz", "dump": tmp_path / "RS.zst", "urls": tmp_path / "urls.txt"}
    shutil.copy(sample_warc(), files["warc"])
    shutil.copy(sample_dump(), files["dump"])
    files["urls"].write_text("https://example.com/a\n")
    argv = ["corpus", flag, str(files[given]), "--out", str(tmp_path / "out"), "--quiet"]
    if flag == "--warc":
        argv += ["--input", str(files["dump"])]
    capsys.readouterr()
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"give it with {right} {files[given]}" in err, err
    assert not (tmp_path / "out").exists()
