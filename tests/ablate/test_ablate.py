"""`webtext ablate` on a few thousand tokens: two corpus variants, two seeds, a text eval set and a
multiple-choice one; the report's numbers, intervals and verdicts; the same numbers for the same seed;
an interrupted ablation's finished runs kept; each mistake one line and exit 2."""

import json
import shutil

import pytest

from webtext.ablate.stats import interval, paired, verdict
from webtext.cli.main import run

pytest.importorskip("torch", reason="webtext ablate trains with PyTorch (the 'train' extra)")

HELD_OUT = (
    "The city council met on Tuesday to discuss the budget for the new school year.\n"
    "Scientists said the results of the study were surprising and would need more work.\n"
    "The team won the final game of the season after a long and difficult match.\n"
)
CHOICES = [
    {
        "ctx": "She opened the umbrella because",
        "endings": ["it was raining.", "the cat is blue."],
        "label": 0,
    },
    {"ctx": "He put the milk back in", "endings": ["the sky.", "the fridge."], "label": 1},
    {"ctx": "The children went to school", "endings": ["in the morning.", "under the ocean."], "label": 0},
]
SMALL = [
    "--tokens",
    "2048",
    "--block_size",
    "32",
    "--batch_size",
    "8",
    "--points",
    "2",
    "--seeds",
    "2",
    "--device",
    "cpu",
    "--quiet",
]


@pytest.fixture(scope="module")
def variants(sample_corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("ablate")
    other = root / "longer_docs"
    assert (
        run(
            [
                "corpus",
                "--sample",
                "--val_fraction",
                "0.2",
                "--docs_per_shard",
                "8",
                "--quiet",
                "--no_report",
                "--min_words",
                "150",
                "--out",
                str(other),
            ]
        )
        == 0
    )
    (root / "held_out.txt").write_text(HELD_OUT)
    (root / "choices.jsonl").write_text("".join(json.dumps(item) + "\n" for item in CHOICES))
    return root, [f"default={sample_corpus}", f"longer={other}"]


def ablate(root, variants, out, *extra) -> int:
    return run(
        [
            "ablate",
            *(f for v in variants for f in ("--variant", v)),
            "--eval",
            f"news={root}/held_out.txt",
            "--eval_choice",
            f"sense={root}/choices.jsonl",
            "--out",
            str(out),
            *SMALL,
            *extra,
        ]
    )


def test_an_ablation_reports_intervals_verdicts_curves_and_what_differs(variants, tmp_path):
    root, specs = variants
    out = tmp_path / "ablation"
    assert ablate(root, specs, out) == 0
    report = json.loads((out / "ablate.json").read_text())
    for variant in ("default", "longer"):
        news = report["bits_per_byte"][variant]["news"]
        assert news["n"] == 2 and news["low"] <= news["mean"] <= news["high"] and 1.0 < news["mean"] < 20.0
        assert 0.0 <= report["accuracy"][variant]["sense"]["mean"] <= 1.0
        assert report["epochs"][variant] > 0
    runs = {(r["variant"], r["seed"]): r for r in report["runs"]}
    assert set(runs) == {(v, s) for v in ("default", "longer") for s in (0, 1)}
    assert all(
        len(r["curve"]) == 2 and r["curve"][-1]["bits_per_byte"] == r["bits_per_byte"] for r in runs.values()
    )
    pair = next(p for p in report["pairs"] if p["eval"] == "news")
    differences = [
        runs[("longer", s)]["bits_per_byte"]["news"] - runs[("default", s)]["bits_per_byte"]["news"]
        for s in (0, 1)
    ]
    assert pair["difference"]["mean"] == pytest.approx(sum(differences) / 2)
    assert pair["verdict"] == verdict(
        "default",
        "longer",
        "news",
        paired(
            [runs[("default", s)]["bits_per_byte"]["news"] for s in (0, 1)],
            [runs[("longer", s)]["bits_per_byte"]["news"] for s in (0, 1)],
        ),
    )
    assert report["corpora"]["settings"]["filters.min_words"] == {"default": 64, "longer": 150}
    assert report["chance"]["sense"] == 0.5
    html = (out / "ablate.html").read_text()
    assert "data:image/png;base64," in html and pair["verdict"].replace("'", "&#x27;") in html

    # The same seed on the same machine: the same numbers. A run whose result is gone is done again, the
    # others are kept (an interrupted ablation resumed).
    first = runs[("longer", 1)]
    (out / "runs" / "longer-seed1" / "result.json").unlink()
    assert ablate(root, specs, out) == 0
    again = {(r["variant"], r["seed"]): r for r in json.loads((out / "ablate.json").read_text())["runs"]}
    assert again[("longer", 1)]["bits_per_byte"] == first["bits_per_byte"]
    assert again[("longer", 1)]["losses"] == first["losses"]
    assert again[("default", 0)]["seconds"] == runs[("default", 0)]["seconds"]  # kept, not run again


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_mistakes_are_one_line_and_exit_2(variants, tmp_path, capsys, sample_corpus):
    root, specs = variants
    assert ablate(root, specs[:1], tmp_path / "o") == 2
    assert "two or more corpora" in _one_line(capsys)
    assert ablate(root, [specs[0], f"nowhere={tmp_path}/nowhere"], tmp_path / "o") == 2
    assert "nowhere" in _one_line(capsys)
    broken = tmp_path / "broken"
    shutil.copytree(sample_corpus, broken)
    shard = sorted((broken / "tokens").glob("train-*.arrow"))[0]
    shard.write_bytes(shard.read_bytes()[:-7] + b"garbage")
    assert ablate(root, [specs[0], f"broken={broken}"], tmp_path / "o") == 2
    assert "`webtext verify` fails on it" in _one_line(capsys)

    def with_eval(flag: str, spec: str) -> int:  # both variants sound, one eval set given
        return run(["ablate", "--variant", specs[0], "--variant", specs[1], flag, spec,
                    "--out", str(tmp_path / "o"), *SMALL])

    (tmp_path / "empty.txt").write_text("\n\n")
    assert with_eval("--eval", f"e={tmp_path}/empty.txt") == 2
    assert "no documents in it" in _one_line(capsys)
    (tmp_path / "bad.jsonl").write_text('{"ctx": "x", "endings": ["only one"], "label": 0}\n')
    assert with_eval("--eval_choice", f"c={tmp_path}/bad.jsonl") == 2
    assert "expected ctx, endings (2 or more) and label" in _one_line(capsys)
    assert not (tmp_path / "o").exists()


def test_intervals_and_verdicts():
    assert interval([1.0]) == {"mean": 1.0, "low": None, "high": None, "n": 1}
    wide = interval([1.0, 2.0, 3.0])
    assert wide["mean"] == 2.0 and wide["low"] == pytest.approx(2.0 - 4.302653 / 3**0.5, rel=1e-5)
    better = paired([1.00, 1.01, 1.02], [1.04, 1.05, 1.07])  # b is worse by about 0.043 bits/byte
    assert verdict("a", "b", "articles", better).startswith(
        "a beats b on articles by 0.043 bits/byte, 95% CI ["
    )
    assert verdict("b", "a", "articles", paired([1.04, 1.05, 1.07], [1.00, 1.01, 1.02])).startswith(
        "a beats b on articles by 0.043"
    )
    assert "not decided at 3 seeds" in verdict("a", "b", "x", paired([1.0, 1.1, 1.0], [1.1, 1.0, 1.0]))
    assert "no interval can be given at 1 seed" in verdict("a", "b", "x", paired([1.0], [1.2]))
    assert verdict(
        "a", "b", "hs", paired([0.30, 0.31, 0.32], [0.20, 0.21, 0.20]), lower_is_better=False, unit="accuracy"
    ).startswith("a beats b on hs by 0.107 accuracy")
