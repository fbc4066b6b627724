"""The bundled sample is what its seeded generator makes, byte for byte, and small."""

import json
import os

import zstandard

from webtext.sample.generate import build_sample, write_sample
from webtext.sample.paths import DUMP_NAME, WARC_NAME, sample_dir


def test_generator_reproduces_the_committed_sample(tmp_path):
    for path in write_sample(str(tmp_path)):
        name = os.path.basename(path)
        with open(path, "rb") as made, open(os.path.join(sample_dir(), name), "rb") as committed:
            assert made.read() == committed.read(), f"{name}: run `make sample` and commit the result"


def test_sample_is_small():
    assert sum(os.path.getsize(os.path.join(sample_dir(), n)) for n in (DUMP_NAME, WARC_NAME)) < 1_000_000


def test_sample_covers_every_scenario():
    pages, lines = build_sample()
    scenarios = {p.scenario for p in pages}
    assert {
        "keep",
        "low_karma",
        "near_duplicate",
        "exact_duplicate",
        "language",
        "too_short",
        "extract_empty",
        "http_4xx",
        "content_type",
        "wikipedia",
        "not_archived",
        "after_cutoff",
    } <= scenarios
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    urls = [r.get("url", "") for r in records if isinstance(r, dict)]
    assert any("utm_source" in u for u in urls) and any("&amp;" in u for u in urls)
    assert any(r.get("is_self") for r in records if isinstance(r, dict))
    assert any(isinstance(r, dict) and r.get("score", 3) < 3 for r in records)
    assert len(lines) - len(records) >= 4  # lines that are not JSON at all


def test_dump_is_one_frame_with_the_real_dumps_window():
    data = open(os.path.join(sample_dir(), DUMP_NAME), "rb").read()
    params = zstandard.get_frame_parameters(data)
    assert params.window_size == 2**31 and params.content_size == zstandard.CONTENTSIZE_UNKNOWN
