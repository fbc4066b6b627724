"""Shared fixtures: the development data in ../shared/data (skipped when absent) and the sample corpus."""

from pathlib import Path

import pytest

from webtext.cli.main import run

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SAMPLE_FLAGS = ["--sample", "--val_fraction", "0.2", "--docs_per_shard", "8", "--quiet"]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "README.md").exists():
        pytest.skip("../shared/data is not present (it is only on developer and CI machines)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory) -> Path:
    """The bundled sample run once through the CLI, as `make corpus` does."""
    out = tmp_path_factory.mktemp("sample") / "out"
    assert run(["corpus", *SAMPLE_FLAGS, "--out", str(out)]) == 0
    return out
