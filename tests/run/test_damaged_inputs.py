"""Damaged inputs are named (file, byte offset, what was read) in the summary, the manifest and the report;
an input that yields nothing at all fails the run and leaves the previous corpus as it was."""

import json
import os
import shutil

import pytest

from webtext.cli.main import run
from webtext.sample.paths import sample_dump, sample_warc

FLAGS = ["--val_fraction", "0.2", "--docs_per_shard", "8", "--no_report"]


def corpus(out, dump, warc, *extra):
    return run(["corpus", "--input", str(dump), "--warc", str(warc), "--out", str(out), *FLAGS, *extra])


def cut(source: str, target, fraction: float):
    data = open(source, "rb").read()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def test_a_truncated_warc_is_named_with_where_it_stopped_and_fails_the_run_unless_accepted(tmp_path, capsys):
    warc = cut(sample_warc(), tmp_path / "pages.warc.gz", 0.6)
    assert corpus(tmp_path / "out", sample_dump(), warc) == 3  # the corpus written, the damage not taken
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    [damaged] = manifest["damaged_inputs"]
    assert damaged["path"] == str(warc) and 0 < damaged["records"] < 37
    assert 0 < damaged["offset"] < os.path.getsize(warc)
    captured = capsys.readouterr()
    assert (
        f"warning: {warc}: {damaged['records']} records read, then unreadable at byte {damaged['offset']}"
        in captured.out
    )
    assert (
        f"webtext corpus: {warc}: read only in part ({damaged['records']} records, then unreadable at byte "
        f"{damaged['offset']}"
    ) in captured.err and "--accept_damaged_inputs" in captured.err
    assert run(["verify", str(tmp_path / "out")]) == 3  # verify says so afterwards, too
    assert f"webtext verify: {warc}: read only in part" in capsys.readouterr().err
    assert corpus(tmp_path / "accepted", sample_dump(), warc, "--accept_damaged_inputs") == 0
    assert run(["verify", str(tmp_path / "accepted")]) == 0


def blockwise_dump(path):
    """The sample dump re-compressed a few lines a block, as long real dumps are: a cut keeps the blocks
    before."""
    import io

    import zstandard

    from webtext.sources.dumps import iter_lines

    buffer = io.BytesIO()
    writer = zstandard.ZstdCompressor().stream_writer(buffer, closefd=False)
    for number, line in iter_lines(sample_dump()):
        writer.write(line + b"\n")
        if number % 8 == 0:
            writer.flush(zstandard.FLUSH_BLOCK)
    writer.close()
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_truncated_dump_is_named_and_what_it_held_is_kept(tmp_path, capsys):
    dump = cut(blockwise_dump(tmp_path / "RS_whole.zst"), tmp_path / "RS_cut.zst", 0.5)
    assert corpus(tmp_path / "out", dump, sample_warc(), "--quiet", "--accept_damaged_inputs") == 0
    [damaged] = json.loads((tmp_path / "out" / "manifest.json").read_text())["damaged_inputs"]
    assert damaged["path"] == str(dump) and damaged["records"] > 0
    assert f"warning: {dump}:" in capsys.readouterr().err  # even with --quiet


def test_an_empty_dump_fails_the_run(sample_corpus, tmp_path, capsys):
    empty = tmp_path / "RS_empty.zst"
    empty.write_bytes(b"")
    assert corpus(tmp_path / "out", empty, sample_warc(), "--quiet") == 1
    assert (
        f"{empty} yielded nothing (unreadable at byte 0: the file holds no line)" in capsys.readouterr().err
    )


@pytest.mark.parametrize("which", ["dump", "warc"])
def test_an_input_that_yields_nothing_fails_the_run_and_keeps_the_previous_corpus(
    sample_corpus, tmp_path, capsys, which
):
    out = tmp_path / "out"
    shutil.copytree(sample_corpus, out)  # the corpus a good run left there
    before = (out / "manifest.json").read_bytes()
    junk = tmp_path / ("RS_junk.zst" if which == "dump" else "junk.warc.gz")
    junk.write_bytes(os.urandom(4096))
    args = (junk, sample_warc()) if which == "dump" else (sample_dump(), junk)
    assert corpus(out, *args, "--quiet") == 1
    error = capsys.readouterr().err
    assert f"{junk} yielded nothing (unreadable at byte " in error and f"{out} is unchanged" in error
    assert (out / "manifest.json").read_bytes() == before
    assert run(["verify", str(out)]) == 0


def test_a_directory_as_input_is_one_line(tmp_path, capsys):
    assert run(["corpus", "--input", str(tmp_path), "--warc", sample_warc(), "--out", str(tmp_path / "o"),
                "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert "is a directory: name its files" in error and len(error.splitlines()) == 1


@pytest.mark.parametrize("suffix", [".gz", ".xz", ".bz2", ".zst"])
def test_a_cut_compressed_dump_gives_every_line_its_stream_holds_before_the_cut(tmp_path, suffix):
    """As many whole lines as the format's own incremental decoder gives from the bytes before the cut
    (gzip streams; xz, bz2 and zstd give what their blocks hold), never fewer."""
    import bz2
    import gzip
    import lzma
    import zlib

    import zstandard

    from webtext.records import DamagedFileError
    from webtext.sources.dumps import iter_lines

    lines = [line for _, line in iter_lines(sample_dump())] * 10
    data = b"\n".join(lines) + b"\n"
    compress = {".gz": gzip.compress, ".xz": lzma.compress, ".bz2": bz2.compress,
                ".zst": lambda d: zstandard.ZstdCompressor().compress(d)}[suffix]
    packed = compress(data)
    cut_file = tmp_path / f"RS_cut{suffix}"
    cut_file.write_bytes(packed[:len(packed) // 2])
    read = []
    with pytest.raises(DamagedFileError):
        for _, line in iter_lines(str(cut_file)):
            read.append(line)
    decoder = {
        ".gz": lambda: zlib.decompressobj(wbits=31),
        ".xz": lzma.LZMADecompressor,
        ".bz2": bz2.BZ2Decompressor,
        ".zst": lambda: zstandard.ZstdDecompressor().decompressobj(),
    }[suffix]()
    whole_lines = decoder.decompress(packed[:len(packed) // 2]).count(b"\n")
    assert read == lines[:whole_lines]
    if suffix == ".gz":
        assert len(read) > len(lines) // 3  # the first half's lines, less what the last block holds
