"""The `webtext` command: help, clear errors, Beam flags passed through."""

import subprocess
import sys

import pytest

from webtext.cli.main import run
from webtext.engines.beam.options import beam_options


@pytest.mark.parametrize("argv", [["--help"], ["corpus", "--help"], ["sample", "--help"]])
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        run(argv)
    assert exit_.value.code == 0 and "usage: webtext" in capsys.readouterr().out


def test_python_dash_m_webtext():
    result = subprocess.run(
        [sys.executable, "-m", "webtext", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "corpus" in result.stdout


def test_bad_config_is_a_clear_error(capsys, tmp_path):
    assert run(["corpus", "--out", str(tmp_path)]) == 2
    assert "no input" in capsys.readouterr().err
    assert run(["corpus", "--input", "x.zst", "--fetch", "replay", "--out", str(tmp_path)]) == 2
    assert "--warc" in capsys.readouterr().err
    assert (
        run(["corpus", "--input", str(tmp_path / "none-*.zst"), "--warc", "w", "--out", str(tmp_path)]) == 2
    )
    assert "no file matches" in capsys.readouterr().err


def test_unknown_flags_are_beam_options_and_the_default_runner_is_local():
    options = beam_options(["--direct_num_workers=2"]).get_all_options()
    assert options["runner"] == "FnApiRunner" and options["direct_num_workers"] == 2
    assert beam_options(["--runner=PortableRunner"]).get_all_options()["runner"] == "PortableRunner"


def test_unknown_flags_of_other_commands_are_errors():
    with pytest.raises(SystemExit):
        run(["sample", "--out", "x", "--bogus"])


def test_fetch_replay_glob_form(tmp_path):
    from webtext.cli.corpus import config_from
    from webtext.cli.main import _parser

    args, _ = _parser().parse_known_args(["corpus", "--input", "d.zst", "--fetch", "replay:w/*.warc.gz"])
    config = config_from(args)
    assert (config.fetch.mode, config.fetch.warc) == ("replay", ("w/*.warc.gz",))
