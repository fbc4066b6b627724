"""Dumps are streamed in every compression, including zstd with the real dumps' 2 GiB window."""

import bz2
import gzip
import io
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
    assert expand_globs((str(tmp_path / "*.jsonl"),)) == [
        str(tmp_path / "a.jsonl"),
        str(tmp_path / "b.jsonl"),
    ]
    with pytest.raises(FileNotFoundError, match="no file matches"):
        expand_globs((str(tmp_path / "*.zst"),))


def test_a_truncated_dump_keeps_what_was_read_and_drops_the_rest_with_a_reason(tmp_path):
    from apache_beam.pvalue import TaggedOutput

    from webtext.records import Drop, Submission
    from webtext.sources.transforms import DAMAGED, LINE_COUNTS, _ParseFile

    buffer = io.BytesIO()
    writer = zstandard.ZstdCompressor().stream_writer(buffer, closefd=False)
    for start in range(0, 5000, 500):  # blocks flushed as it goes, as in a long real dump
        writer.write(b"".join(b'{"id":"%d","url":"https://e.com/%d","score":5,"created_utc":1400000000}\n'
                              % (i, i) for i in range(start, start + 500)))
        writer.flush(zstandard.FLUSH_BLOCK)
    writer.close()
    data = buffer.getvalue()
    path = tmp_path / "RS_cut.zst"
    path.write_bytes(data[: len(data) // 2])
    outputs = list(_ParseFile(url_lists=False).process(str(path)))
    kept = [o for o in outputs if isinstance(o, Submission)]
    drops = [o.value for o in outputs if isinstance(o, TaggedOutput) and isinstance(o.value, Drop)]
    counts = [o.value for o in outputs if isinstance(o, TaggedOutput) and o.tag == LINE_COUNTS]
    assert kept and len(kept) < 5000
    assert [d.reason for d in drops if d.reason != "malformed_json"] == ["unreadable_file"]
    assert counts == [len(kept) + len(drops)]  # the read stage still balances
    damaged = [o.value for o in outputs if isinstance(o, TaggedOutput) and o.tag == DAMAGED]
    assert (
        len(damaged) == 1
        and damaged[0].path == str(path)
        and damaged[0].records == len(kept) + len(drops) - 1
    )
    assert 0 < damaged[0].offset <= len(data) // 2 and "TruncatedDumpError" in damaged[0].error


COMPRESSORS = [
    ("RS.jsonl", lambda d: d), ("RS.gz", gzip.compress), ("RS.xz", lzma.compress), ("RS.bz2", bz2.compress),
    ("RS.zst", lambda d: zstandard.ZstdCompressor().compress(d)),
]


@pytest.mark.parametrize("name, compress", COMPRESSORS)
def test_a_line_past_the_cap_is_told_apart_and_the_lines_around_it_read(tmp_path, name, compress):
    """A line of cap+1 bytes is a LineTooLong with its length; one of exactly the cap, and the lines around
    it, are read whole, in every compression."""
    from webtext.sources.dumps import LineTooLong

    cap = 4096
    lines = [b'{"id":"a"}', b"x" * cap, b"y" * (cap + 1), b"z" * (5 * cap + 7), b'{"id":"b"}',
             b"w" * (cap + 2)]
    path = tmp_path / name
    path.write_bytes(compress(b"\n".join(lines)))  # the last line without its newline
    assert list(iter_lines(str(path), cap)) == [
        (1, lines[0]), (2, lines[1]), (3, LineTooLong(cap + 1)), (4, LineTooLong(5 * cap + 7)), (5, lines[4]),
        (6, LineTooLong(cap + 2))]


def _peak_rss_of(code: str) -> int:
    """Peak resident memory (bytes) of a fresh interpreter that runs `code`."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code + "\nimport resource\n"
                          "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                         capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1]) * 1024


@pytest.mark.parametrize("name, compress", COMPRESSORS[1:])
def test_a_small_file_holding_one_enormous_line_reads_in_bounded_memory(tmp_path, name, compress):
    """A 128 MiB line squeezed into a small compressed file (a bomb, or a broken export): one LineTooLong, the
    next line read, and the reader's memory stays far below the line's size (it held 464 MiB for 128 MiB,
    and a 1.5 GiB line never finished: quadratic)."""
    size = 128 << 20
    path = tmp_path / name
    with open(path, "wb") as out:
        out.write(compress(b"a" * size + b'\n{"id":"after"}\n'))
    assert path.stat().st_size < 2 << 20
    code = (f"from webtext.sources.dumps import iter_lines\n"
            f"assert list(iter_lines({str(path)!r})) == [(1, ({size},)), (2, b'{{\"id\":\"after\"}}')]")
    baseline = _peak_rss_of("import webtext.sources.dumps")
    assert _peak_rss_of(code) - baseline < 64 << 20


def test_a_long_line_is_a_counted_drop_of_the_read_stage(tmp_path):
    from webtext.records import Drop
    from webtext.sources.parse_file import LineCount, parsed_file

    path = tmp_path / "RS.jsonl"
    path.write_bytes(b"u" * 5000 + b'\n{"id":"a"}\n')
    outcomes = list(parsed_file(str(path), max_line_bytes=4096))
    assert outcomes[0] == Drop("read", "line_too_long", f"{path}:1",
                               "5,000 bytes, over --max_line_bytes 4,096")
    assert outcomes[-1] == LineCount(2)
