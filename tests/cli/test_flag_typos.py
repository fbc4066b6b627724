"""`webtext corpus` takes its own flags in either spelling and Beam's pipeline options; anything else
stops the command with one line and exit 2 before anything is written."""

import pytest

from webtext.cli.main import run


@pytest.mark.parametrize("flags, named", [
    (["--min_karme", "30"], "unknown flag --min_karme (did you mean --min_karma?)"),
    (["--min-karme=30"], "unknown flag --min-karme (did you mean --min_karma?)"),
    (["--direct_num_worker=2"], "did you mean --direct_num_workers?"),
    (["--no-such-flag"], "unknown flag --no-such-flag"),
    (["dumps/*.zst"], "unexpected argument 'dumps/*.zst'"),
])
def test_a_flag_nobody_reads_exits_2_before_anything_is_written(tmp_path, capsys, flags, named):
    out = tmp_path / "out"
    assert run(["corpus", "--sample", "--out", str(out), "--quiet", *flags]) == 2
    error = capsys.readouterr().err
    assert named in error and len(error.strip().splitlines()) == 1
    assert not out.exists()


def test_dashes_and_underscores_are_the_same_flag(tmp_path):
    import json

    from webtext.cli.main import _check_corpus_flags, _parser

    out = tmp_path / "out"
    assert run(["corpus", "--sample", "--out", str(out), "--quiet", "--no-report", "--min-karma", "30",
                "--val-fraction=0.2", "--unit-links", "64"]) == 0
    config = json.loads((out / "manifest.json").read_text())["config"]
    assert config["links"]["min_karma"] == 30 and config["shards"]["val_fraction"] == 0.2
    # Beam's pipeline options too, as Beam's own parser then reads them
    beam_flags = ["--direct-running-mode=multi_threading", "--direct-num-workers", "1"]
    argv, error = _check_corpus_flags(_parser(), ["corpus", "--sample", *beam_flags])
    assert error is None
    assert argv[-3:] == ["--direct_running_mode=multi_threading", "--direct_num_workers", "1"]
