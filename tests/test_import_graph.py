"""The package's layers, from its import statements (those inside functions too): each stage imports
only itself and the shared ground floor; the ground floor imports no stage and not pipeline/; only
pipeline/ (which wires the stages) and the entry point above it import several stages."""

import ast
import pathlib

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "src" / "webtext"
STAGES = {"sources", "crawl", "extract", "filters", "dedup", "tokenize",  # the pipeline's stages
          "overlap", "report", "train", "sample"}  # and what reads a corpus or makes inputs for one
# the wiring, the one-machine engine, the CLI, and `webtext ablate` (which joins the corpus to the trainer)
TOP = {"pipeline", "units", "entry", "__main__", "ablate"}


def part_of(module: str) -> str:
    """The layer member a module belongs to: its subpackage, or the top-level module itself."""
    return module.split(".")[1] if module.count(".") else module


def imports() -> dict[str, set[str]]:
    """For each subpackage or top-level module, the others it imports."""
    graph: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE).with_suffix("").parts
        source = relative[0]
        targets = graph.setdefault(source, set())
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            targets |= {part_of(n) for n in names if n.startswith("webtext.") and part_of(n) != source}
    return graph


def test_the_layers_hold():
    graph = imports()
    ground = set(graph) - STAGES - TOP
    # what the stages share
    assert {"records", "reasons", "settings", "guard", "stagekit", "shards"} <= ground
    for stage in STAGES & set(graph):
        assert graph[stage] <= ground, (
            f"{stage} imports {sorted(graph[stage] - ground)}: not the ground floor"
        )
    for module in ground:
        assert graph[module] <= ground, f"{module} (ground floor) imports {sorted(graph[module] - ground)}"
    several = {name for name, targets in graph.items() if len(targets & STAGES) > 1}
    assert several <= TOP and "pipeline" in several, several


def test_only_the_beam_wiring_imports_a_stages_transforms():
    """A stage's Beam transforms are wired by pipeline/build.py alone: the units engine, the CLI and every
    other stage call the stages' Beam-free drivers, so the two engines share them."""
    importers = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            if any(name.startswith("webtext.") and name.endswith(".transforms") and
                   name.split(".")[1] != path.relative_to(SOURCE).parts[0] for name in names):
                importers.add(str(path.relative_to(SOURCE)))
    assert importers == {"pipeline/build.py"}, importers


# A stage's per-record functions: each stage calls them through its own Beam-free driver, which both
# engines call (sources/parse_file.py, sources/links.py's selected and linked, extract/in_flight.py,
# filters/batches.py, dedup/over_signatures.py's DedupRecords, tokenize/encode.py).
PER_RECORD = {"parse_submission", "parse_url_line", "select_submission", "build_link", "extract_document",
              "filter_documents", "encode_documents", "Signer"}


def test_only_a_stage_calls_its_own_per_record_functions():
    """Outside the stage packages, no module names a stage's per-record function: the units engine and
    pipeline/ take each stage's driver, so that the engines cannot batch, guard or count differently."""
    named = {}
    for path in SOURCE.rglob("*.py"):
        if path.relative_to(SOURCE).parts[0] in STAGES | {"shards"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("webtext."):
                found = {a.name for a in node.names} & PER_RECORD
            elif isinstance(node, ast.Name | ast.Attribute):
                found = {getattr(node, "id", None) or getattr(node, "attr", None)} & PER_RECORD
            else:
                continue
            if found:
                named.setdefault(str(path.relative_to(SOURCE)), set()).update(found)
    assert named == {}, named
