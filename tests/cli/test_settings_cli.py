"""The corpus command's flags are generated from the stages' settings sections: every field that has
a flag is on the command line with its default and help, parses back into its section, and a bad value
is refused with the flag's name."""

import argparse
import dataclasses

import pytest

from webtext.cli.corpus import config_from
from webtext.cli.main import _parser, run
from webtext.engines.config import SECTIONS, CorpusConfig
from webtext.settings import flag_of


def parsed(*flags: str) -> CorpusConfig:
    args, _ = _parser().parse_known_args(["corpus", "--input", "d.zst", *flags])
    return config_from(args)


def test_no_flags_give_every_sections_defaults():
    config = parsed()
    for name, section in SECTIONS.items():
        expected = section(mode="live") if name == "fetch" else section()
        assert getattr(config, name) == expected, name


def test_every_field_with_a_flag_is_on_the_command_line_with_its_help():
    options = {o: a for a in _parser()._subparsers._group_actions[0].choices["corpus"]._actions
               for o in a.option_strings}
    for section in SECTIONS.values():
        for field in dataclasses.fields(section):
            kind = field.metadata["cli"]
            if not kind:
                continue
            option = options[f"--no_{flag_of(field)}" if kind == "no_switch" else f"--{flag_of(field)}"]
            assert field.metadata["help"] in option.help and option.help != argparse.SUPPRESS, field.name


@pytest.mark.parametrize(
    "flags, section, field, value",
    [
        (["--min_karma", "5"], "links", "min_karma", 5),
        (["--cutoff_utc", "-1"], "links", "cutoff_utc", None),
        (["--drop_nsfw"], "links", "drop_nsfw", True),
        (
            ["--wikipedia_mirror", "a.org", "--wikipedia_mirror", "b.org"],
            "links",
            "wikipedia_mirrors",
            ("a.org", "b.org"),
        ),
        (["--timeout_s", "2.5"], "fetch", "timeout_s", 2.5),
        (["--archives", "commoncrawl"], "fetch", "archives", ("commoncrawl",)),
        (["--wayback_url", "http://wb.example/"], "fetch", "wayback_url", "http://wb.example"),
        (["--extract_timeout_s", "5"], "extract", "timeout_s", 5.0),
        (["--languages", "en,de"], "filters", "languages", ("en", "de")),
        (["--filters", "gopher"], "filters", "preset", "gopher"),
        (["--no_quality_filters"], "filters", "preset", "none"),
        (["--no_dedup_verify"], "dedup", "verify", False),
        (["--dedup_rounds", "3"], "dedup", "rounds", 3),
        (["--docs_per_shard", "7"], "shards", "docs_per_shard", 7),
    ],
)
def test_a_flag_reaches_its_sections_field(flags, section, field, value):
    assert getattr(getattr(parsed(*flags), section), field) == value


def test_a_blocklist_file_is_read_into_its_domains(tmp_path):
    (tmp_path / "block").write_text("www.Spam.example  # a comment\n\nads.example\n")
    assert parsed("--blocklist", str(tmp_path / "block")).links.blocklist == ("ads.example", "spam.example")


@pytest.mark.parametrize("flags, message", [
    (["--dedup_threshold", "1.5"], "--dedup_threshold must be between 0 and 1"),
    (["--num_perm", "8"], "--num_perm must be at least 16"),
    (["--allow_origin", "http://127.0.0.1:8/x"], "--allow_origin must be scheme://host[:port]"),
    (["--decontaminate", "no-equals-sign"], "--decontaminate must be NAME=PATH"),
    (["--fetch", "replay"], "--fetch replay needs --warc"),
])
def test_a_bad_value_is_refused_naming_its_flag(flags, message, tmp_path, capsys):
    assert run(["corpus", "--input", "d.zst", "--out", str(tmp_path / "out"), *flags]) == 2
    assert message in capsys.readouterr().err


def test_from_flags_puts_each_name_in_its_section():
    config = CorpusConfig.from_flags(
        inputs=("x",), warc=("w",), fetch="replay", dedup_threshold=0.7, filters="none", min_words=10
    )
    assert (config.fetch.mode, config.fetch.warc, config.dedup.threshold) == ("replay", ("w",), 0.7)
    assert (config.filters.preset, config.filters.min_words) == ("none", 10)
    with pytest.raises(TypeError):
        CorpusConfig.from_flags(inputs=("x",), min_karme=3)
