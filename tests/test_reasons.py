"""Every drop reason the code can emit is declared once in webtext.reasons, documented, and the
README's reason table is that declaration."""

import ast
import importlib
import pathlib

from webtext.filters.presets import PRESETS
from webtext.reasons import REASONS, STAGES, describe, error_reason, markdown_table

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "src" / "webtext"
README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
REASON_RETURNING = {"status_reason", "dead_page_reason"}  # fetch-stage functions that return a reason code


def _module(path: pathlib.Path):
    return importlib.import_module("webtext." + ".".join(path.relative_to(SOURCE).with_suffix("").parts))


def emitted_reasons() -> dict[str, set[str]]:
    """Reason literals as the code writes them: Drop(stage, "reason"), FetchFailure("reason") (a fetch
    drop), the codes the fetch stage's reason functions return, and the filter presets' rules."""
    found = {stage: set() for stage in STAGES}
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in REASON_RETURNING:
                found["fetch"] |= {
                    n.value
                    for n in ast.walk(node)
                    if isinstance(n, ast.Return)
                    for n in ast.walk(n)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "FetchFailure" and node.args and isinstance(node.args[0], ast.Constant):
                found["fetch"].add(node.args[0].value)
            if name == "Drop" and len(node.args) > 1 and isinstance(node.args[1], (ast.Constant, ast.Name)):
                stage, reason = (
                    a.value if isinstance(a, ast.Constant) else getattr(_module(path), a.id, None)
                    for a in node.args[:2]
                )
                if isinstance(reason, str):  # a name for a reason code (a parameter is not one)
                    found[stage].add(reason)
    found["filter"] |= {f"quality_{rule.reason}" for rules in PRESETS.values() for rule in rules}
    return found


def test_every_reason_the_code_emits_is_declared_and_every_declared_one_is_emitted():
    emitted = emitted_reasons()
    for stage in STAGES:
        declared = set(REASONS[stage]) | {error_reason(stage)}
        assert emitted[stage] <= declared, (stage, emitted[stage] - declared)
        assert set(REASONS[stage]) <= emitted[stage], (stage, set(REASONS[stage]) - emitted[stage])


def test_every_reason_is_documented_and_the_readme_table_is_the_declaration():
    assert all(
        describe(stage, reason) for stage in STAGES for reason in [*REASONS[stage], error_reason(stage)]
    )
    assert markdown_table() in README.read_text(), (
        "regenerate the README's table: webtext.reasons.markdown_table()"
    )
