"""The ablation's eval sets, read and checked before any run (no torch needed): held-out text, and
multiple-choice items in HellaSwag's JSONL shape."""

import json

from webtext.evalsets import EvalSetError, read_documents


def read_text_set(path: str) -> list[str]:
    """An eval set's documents (text, JSONL or Parquet, as `overlap` reads them); EvalSetError for an
    unreadable or empty one."""
    try:
        documents = read_documents(path)
    except (OSError, ValueError) as error:
        raise EvalSetError(f"{path}: cannot be read ({error})") from None
    if not documents:
        raise EvalSetError(f"{path}: no documents in it")
    return documents


def read_choice_set(path: str) -> list[dict]:
    """Multiple-choice items, one JSON object a line: a context (`ctx`), its candidate `endings` and the
    right one's index (`label`), as HellaSwag's JSONL has them."""
    items = []
    try:
        with open(path, encoding="utf-8") as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                item = json.loads(line)
                endings, label = item.get("endings"), item.get("label")
                if not (isinstance(item.get("ctx"), str) and isinstance(endings, list) and len(endings) >= 2
                        and all(isinstance(e, str) for e in endings)
                        and isinstance(label, (int, str)) and 0 <= int(label) < len(endings)):
                    raise EvalSetError(f"{path}:{number}: expected ctx, endings (2 or more) and label")
                items.append({"ctx": item["ctx"], "endings": endings, "label": int(label)})
    except (OSError, ValueError) as error:
        raise EvalSetError(f"{path}: cannot be read ({error})") from None
    if not items:
        raise EvalSetError(f"{path}: no items in it")
    return items
