"""Every flag of every command, given a value that does not parse, gets one line and a non-zero exit:
never a traceback, never "a bug in webtext?"."""

import argparse

import pytest

from webtext.cli.main import _parser, run

BAD = "1x"
# What each command needs besides the flag under test (a corpus folder that is not there, a shard).
POSITIONALS = {"verify": ["nowhere"], "inspect": ["nowhere.arrow"], "export": ["nowhere"],
               "overlap": ["nowhere"], "corpus": ["--urls", "nowhere.txt"],
               "report": ["nowhere"], "card": ["nowhere"], "show": ["nowhere"]}
REQUIRED = {"export": ["--format", "llmc", "--to", "elsewhere"], "sample": ["--out", "SAMPLE_OUT"],
            "generate": ["--out_dir", "nowhere"]}


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _valued_flags():
    for command, parser in sorted(_commands().items()):
        for action in parser._actions:
            if action.option_strings and action.nargs != 0 and not isinstance(action, argparse._HelpAction):
                yield command, action.option_strings[-1]


@pytest.mark.parametrize("command, flag", list(_valued_flags()))
def test_a_value_that_does_not_parse_is_one_line_never_a_traceback(command, flag, tmp_path, capsys,
                                                                  monkeypatch):
    monkeypatch.chdir(tmp_path)
    required = [a if a != "SAMPLE_OUT" else str(tmp_path / "s") for a in REQUIRED.get(command, [])]
    if flag in required:
        i = required.index(flag)
        required[i + 1] = BAD
        argv = [command, *POSITIONALS.get(command, []), *required]
    else:
        argv = [command, *POSITIONALS.get(command, []), *required, flag, BAD]
    try:
        code = run(argv)
    except SystemExit as stop:  # argparse's own refusal: its usage line and exit 2
        code = stop.code
    err = capsys.readouterr().err
    assert "Traceback" not in err and "bug in webtext" not in err, err
    if command not in ("sample", "generate") or code:
        assert code not in (0, None), (argv, err)


@pytest.mark.parametrize("setting", ["--max_steps=abc", "--model=nope", "--learning_rate=fast", "--nosuch=1"])
def test_a_trainer_setting_that_does_not_parse_is_one_line(setting, capsys):
    assert run(["train", "--corpus=nowhere", setting]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err


def test_the_cutoff_is_given_as_the_readme_writes_it(tmp_path):
    from webtext.cli.corpus import add_corpus_parser, config_from

    parser = argparse.ArgumentParser()
    add_corpus_parser(parser.add_subparsers())
    args = parser.parse_args(["corpus", "--urls", "x.txt", "--cutoff_utc", "2018-01-01"])
    assert config_from(args).links.cutoff_utc == 1514764800
