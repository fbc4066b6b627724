"""Where the committed sample files are inside the installed package."""

from importlib.resources import files

DUMP_NAME = "RS_sample.zst"
WARC_NAME = "pages.warc.gz"


def sample_dir() -> str:
    return str(files("webtext.sample") / "data")


def sample_dump() -> str:
    return f"{sample_dir()}/{DUMP_NAME}"


def sample_warc() -> str:
    return f"{sample_dir()}/{WARC_NAME}"
