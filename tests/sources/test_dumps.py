"""Dumps are streamed in every compression, including zstd with the real dumps' 2 GiB window."""

import bz2
import gzip
import lzma

import pytest
import zstandard

from webtext.sample.paths import sample_dump
from webtext.sources.dumps import UnsupportedDumpError, expand_globs, iter_lines

LINES = [b'{"id":"a"}', b'{"id":"b"}', b"", b'{"id":"c"}']
DATA = b"\n".join(LINES) + b"\n"


@pytest.mark.parametrize("name, compress", [
    ("RS.jsonl", lambda d: d), ("RS.gz", gzip.compress), ("RS.xz", lzma.compress), ("RS.bz2", bz2.compress),
    ("RS.zst", lambda d: zstandard.ZstdCompressor().compress(d)),
])
def test_every_compression_gives_the_same_lines(tmp_path, name, compress):
    path = tmp_path / name
    path.write_bytes(compress(DATA))
    assert list(iter_lines(str(path))) == list(enumerate(LINES, 1))


def test_sample_dump_needs_and_gets_a_2gib_window():
    data = open(sample_dump(), "rb").read()
    assert zstandard.get_frame_parameters(data).window_size == 2**31
    with pytest.raises(zstandard.ZstdError):
        zstandard.ZstdDecompressor().decompress(data)  # what a naive reader hits
    assert sum(1 for _ in iter_lines(sample_dump())) > 50


def test_shared_dump_reads_like_its_uncompressed_twin(shared_data):
    zst = [raw for _, raw in iter_lines(str(shared_data / "submissions.zst"))]
    plain = [raw for _, raw in iter_lines(str(shared_data / "submissions.jsonl"))]
    assert zst == plain and len(zst) == 678


def test_unknown_format_is_a_clear_error(tmp_path):
    path = tmp_path / "RS.rar"
    path.write_bytes(b"x")
    with pytest.raises(UnsupportedDumpError, match="unknown dump format"):
        list(iter_lines(str(path)))


def test_globs_expand_sorted_and_empty_glob_is_an_error(tmp_path):
    for name in ("b.jsonl", "a.jsonl"):
        (tmp_path / name).write_bytes(DATA)
    assert expand_globs((str(tmp_path / "*.jsonl"),)) == [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]
    with pytest.raises(FileNotFoundError, match="no file matches"):
        expand_globs((str(tmp_path / "*.zst"),))
