"""The package's layers, from its import statements (those inside functions too). From the top: the entry
point, the command line, `webtext ablate`, what makes a run safe (run/) and `show`'s reading, the engines,
the stages, and the ground floor they share. An arrow only ever runs down; each stage imports only itself
and the ground floor; the engines never import each other, and run/ reaches them only through the table."""

import ast
import pathlib

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "src" / "webtext"
STAGES = {"sources", "crawl", "extract", "filters", "dedup", "tokenize",  # the pipeline's stages
          "overlap", "report", "train", "sample"}  # and what reads a corpus or makes inputs for one
# from the top; below them all, the ground floor
LAYERS = [{"__main__"}, {"entry"}, {"cli"}, {"ablate"}, {"run", "show"}, {"engines"}, STAGES]


def part_of(module: str, depth: int = 1) -> str:
    """The layer member a module belongs to: its subpackage (`depth` levels deep), or the top-level module."""
    parts = module.split(".")[1:]
    return ".".join(parts[:depth]) if len(parts) > 1 else parts[0]


def _imported(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name for name in names if name.startswith("webtext.")}


def imports(depth: int = 1) -> dict[str, set[str]]:
    """For each subpackage (`depth` levels deep) or top-level module, the others it imports."""
    graph: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        source = part_of(".".join(("webtext", *path.relative_to(SOURCE).with_suffix("").parts)), depth)
        source = source.removesuffix(".__init__")
        targets = graph.setdefault(source, set())
        targets |= {part_of(n, depth) for n in _imported(path) if part_of(n, depth) != source}
    return graph


def layer_of(member: str) -> int:
    return next((i for i, layer in enumerate(LAYERS) if member in layer), len(LAYERS))


def test_the_layers_hold():
    graph = imports()
    ground = set(graph) - STAGES - set().union(*LAYERS)
    # what the stages share
    assert {"records", "reasons", "settings", "guard", "stagekit", "shards"} <= ground
    for stage in STAGES & set(graph):
        assert graph[stage] <= ground, (
            f"{stage} imports {sorted(graph[stage] - ground)}: not the ground floor"
        )
    for module in ground:
        assert graph[module] <= ground, f"{module} (ground floor) imports {sorted(graph[module] - ground)}"


def test_every_arrow_runs_down():
    """entry -> cli -> ablate -> run, show -> engines -> stages -> ground: no module imports one above it or
    beside it in another package of its layer (the stages' own rule is above)."""
    upward = {(source, target) for source, targets in imports().items() for target in targets
              if layer_of(target) < layer_of(source)
              or (layer_of(target) == layer_of(source) < len(LAYERS) - 1 and target != source)}
    assert upward == set(), sorted(upward)


def test_the_engines_never_import_each_other_and_run_reaches_them_through_the_table():
    """Each engine stands alone; run/ (and show's reading) see the contract (base, config, settings) and the
    table, never an engine's own modules. (The command line names an engine's errors and Beam's options.)"""
    graph = imports(depth=2)
    assert "engines.units" not in graph["engines.beam"] and "engines.beam" not in graph["engines.units"]
    contract = {"engines.base", "engines.config", "engines.settings", "engines.table"}
    for source in ("run", "show"):
        reached = {target for target in imports(depth=2)[source] if target.startswith("engines.")}
        assert reached <= contract, (source, reached - contract)


def test_no_module_import_circles():
    """No two modules import each other, directly or round a circle (imports inside functions too)."""
    modules = {".".join(("webtext", *p.relative_to(SOURCE).with_suffix("").parts)).removesuffix(".__init__")
               : p for p in SOURCE.rglob("*.py")}
    graph = {name: {t for t in _imported(path) if t in modules} for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert circles == [], circles


def test_only_the_beam_wiring_imports_a_stages_transforms():
    """A stage's Beam transforms are wired by engines/beam/graph.py alone: the units engine, the CLI and every
    other stage call the stages' Beam-free drivers, so the two engines share them."""
    importers = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            if any(name.startswith("webtext.") and name.endswith(".transforms") and
                   name.split(".")[1] != path.relative_to(SOURCE).parts[0] for name in names):
                importers.add(str(path.relative_to(SOURCE)))
    assert importers == {"engines/beam/graph.py"}, importers


# A stage's per-record functions: each stage calls them through its own Beam-free driver, which both
# engines call (sources/parse_file.py, sources/links.py's selected and linked, extract/in_flight.py,
# filters/batches.py, dedup/over_signatures.py's SignStep, tokenize/encode.py).
PER_RECORD = {"parse_submission", "parse_url_line", "select_submission", "build_link", "extract_document",
              "filter_documents", "encode_documents", "Signer"}


def test_only_a_stage_calls_its_own_per_record_functions():
    """Outside the stage packages, no module names a stage's per-record function: the units engine and
    the Beam graph take each stage's driver, so that the engines cannot batch, guard or count differently."""
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
