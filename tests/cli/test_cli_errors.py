"""A user's mistake or a damaged corpus gets one line and exit 2, never a traceback (unless -v)."""

import shutil

import pytest

from webtext.cli.main import run


@pytest.fixture
def corpus(sample_corpus, tmp_path):
    copy = tmp_path / "corpus"
    shutil.copytree(sample_corpus, copy)
    return copy


def one_line_error(capsys, argv, expected: str, code: int = 2):
    assert run(argv) == code
    error = capsys.readouterr().err.strip()
    assert expected in error and len(error.splitlines()) == 1 and "Traceback" not in error, error
    return error


def first_shard(corpus, kind="tokens", split="train"):
    return sorted((corpus / kind).glob(f"{split}-*"))[0]


def test_commands_on_a_folder_that_is_no_corpus(tmp_path, capsys):
    for argv in (
        ["report", str(tmp_path)],
        ["export", str(tmp_path), "--format", "llmc", "--to", str(tmp_path / "x")],
        ["train", f"--corpus={tmp_path}", "--device=cpu", f"--out_dir={tmp_path / 'run'}"],
    ):
        one_line_error(capsys, argv, f"{tmp_path} is no webtext corpus: it has no manifest.json")


def test_a_file_as_out_is_refused_before_any_work(tmp_path, capsys):
    out = tmp_path / "a-file"
    out.write_text("x")
    one_line_error(capsys, ["corpus", "--sample", "--out", str(out), "--quiet"], "is a file, not a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # no staging directory beside it


def test_inspect_mistakes(corpus, capsys):
    one_line_error(capsys, ["inspect", str(first_shard(corpus)), "--doc", "99"], "not 99")
    one_line_error(capsys, ["inspect", str(first_shard(corpus, "text"))], "not an Arrow token shard")


def test_export_and_train_refuse_a_flipped_byte(corpus, tmp_path, capsys):
    shard = first_shard(corpus)
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    for argv in (
        ["export", str(corpus), "--format", "nanogpt", "--to", str(tmp_path / "export")],
        ["train", f"--corpus={corpus}", "--device=cpu", f"--out_dir={tmp_path / 'run'}", "--max_steps=1"],
    ):
        one_line_error(capsys, argv, f"{shard.relative_to(corpus)}: sha256 differs from the manifest")
    assert not (tmp_path / "export").exists() or not list((tmp_path / "export").iterdir())
    assert not (tmp_path / "run" / "log.jsonl").exists()


def test_export_with_a_missing_shard_writes_nothing(corpus, tmp_path, capsys):
    first_shard(corpus, split="validation").unlink()
    one_line_error(
        capsys, ["export", str(corpus), "--format", "nanogpt", "--to", str(tmp_path / "export")], "missing"
    )
    # no train.bin(.tmp)
    assert not (tmp_path / "export").exists() or not list((tmp_path / "export").iterdir())


def test_an_intact_corpus_is_hashed_once_then_trusted_by_size_and_time(corpus, tmp_path):
    assert run(["export", str(corpus), "--format", "nanogpt", "--to", str(tmp_path / "a")]) == 0
    assert (corpus / ".verified.json").exists()
    assert run(["export", str(corpus), "--format", "nanogpt", "--to", str(tmp_path / "b")]) == 0
    assert (tmp_path / "a" / "train.bin").read_bytes() == (tmp_path / "b" / "train.bin").read_bytes()


def test_verbose_shows_the_traceback(tmp_path):
    with pytest.raises(FileNotFoundError):
        run(["-v", "report", str(tmp_path)])


def test_a_byte_flipped_in_place_with_its_mtime_put_back_is_caught(corpus, tmp_path, capsys):
    """The cache of verified shards cannot be fooled by a write in place: the change time moves."""
    import os

    assert run(["export", str(corpus), "--format", "nanogpt", "--to", str(tmp_path / "a")]) == 0
    shard = first_shard(corpus)
    stat = shard.stat()
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    with open(shard, "r+b") as stream:  # in place: same inode, same size
        stream.write(bytes(data))
    os.utime(shard, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    one_line_error(capsys, ["export", str(corpus), "--format", "nanogpt", "--to", str(tmp_path / "b")],
                   f"{shard.relative_to(corpus)}: sha256 differs from the manifest")


@pytest.mark.parametrize("flags, expected", [
    (["--workers", "2", "--runner", "DataflowRunner"], "leave one of them out"),
    (["--workers", "2", "--direct_num_workers", "2"], "--direct_num_workers is Beam's"),
    (["--direct_num_workers", "2"], "needs --direct_running_mode multi_processing"),
    (["--runner", "Bogus"], "--runner Bogus: Unexpected pipeline runner"),
    (["--languages", "en,xx"], "--languages xx: not a language py3langid knows"),
    (["--decontaminate", "e=missing.jsonl"], "--decontaminate e=missing.jsonl: no file matches"),
    (["--input", "REPORT"], "report.html: unknown dump format"),  # a glob that caught a previous run's report
])
def test_flags_that_cannot_work_are_refused_before_anything_runs(tmp_path, capsys, flags, expected):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "report.html").write_text("<html></html>")
    flags = [str(inputs / "*") if flag == "REPORT" else flag for flag in flags]
    one_line_error(
        capsys, ["corpus", "--sample", "--out", str(tmp_path / "out"), "--quiet", *flags], expected
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs"]  # nothing written, not even the lock


def test_more_workers_than_cores_is_a_warning():
    from webtext.cli.flag_conflicts import too_many_workers

    assert "the extra workers only take turns" in too_many_workers(64, 2)
    assert too_many_workers(2, 2) is None
