"""Evaluation sets as lists of documents: plain text (one document per line), JSONL or Parquet."""

import json

import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems


class EvalSetError(ValueError):
    pass


def parse_named(spec: str) -> tuple[str, str]:
    """"NAME=PATH" -> (NAME, PATH)."""
    name, sep, path = spec.partition("=")
    if not sep or not name or not path:
        raise EvalSetError(f"{spec!r}: expected NAME=PATH")
    return name, path


def read_documents(path: str, text_field: str = "text") -> list[str]:
    if path.endswith(".parquet"):
        table = pq.read_table(path, columns=[text_field])
        return [t for t in table.column(text_field).to_pylist() if t]
    with FileSystems.open(path) as stream:
        lines = stream.read().decode("utf-8", errors="replace").splitlines()
    if path.endswith((".jsonl", ".json")):
        documents = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get(text_field), str):
                raise EvalSetError(f"{path}:{number}: no string field {text_field!r}")
            documents.append(record[text_field])
        return documents
    return [line for line in lines if line.strip()]
