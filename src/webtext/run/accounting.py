"""Per-stage accounting: in = kept + sum(dropped[reason]), counted independently.

`in` and `kept` are counts of the PCollections entering and leaving a stage;
drops are counted by reason from the drop records. The manifest checks that
they balance instead of deriving one from the others.
"""

from webtext.reasons import LINKS, STAGES

# The stage boundaries where records are regrouped, so that a stage's `in` is not the previous stage's
# `kept`: the links stage takes the counted submissions grouped by canonical URL, one record a URL.
REGROUPED = {LINKS: "the submissions that select kept, grouped into one record per canonical URL"}


def accounting_from_counts(counts: list[tuple[tuple[str, str], int]]) -> dict[str, dict]:
    """{stage: {"in": n, "kept": k, "dropped": {reason: n}, "balanced": bool}} in pipeline order."""
    table = {stage: {"in": 0, "kept": 0, "dropped": {}} for stage in STAGES}
    for (stage, outcome), n in counts:
        entry = table.setdefault(stage, {"in": 0, "kept": 0, "dropped": {}})
        if outcome.startswith("dropped:"):
            reason = outcome.removeprefix("dropped:")
            entry["dropped"][reason] = entry["dropped"].get(reason, 0) + n
        elif outcome.startswith("kept:"):
            kind, kept_by = outcome.removeprefix("kept:"), entry.setdefault("kept_by", {})
            kept_by[kind] = kept_by.get(kind, 0) + n
        else:
            entry[outcome] += n
    for entry in table.values():
        entry["dropped"] = dict(sorted(entry["dropped"].items()))
        if "kept_by" in entry:
            entry["kept_by"] = dict(sorted(entry["kept_by"].items()))
        entry["balanced"] = entry["in"] == entry["kept"] + sum(entry["dropped"].values())
    return table


def account_problems(stages: dict[str, dict]) -> list[str]:
    """What is wrong with a run's accounting: a stage whose `in` is not its `kept` plus its drops, or whose
    `in` is not the previous stage's `kept` (at the boundaries not in REGROUPED). Counts are taken where
    records are read and where they are written, so a record lost between two stages shows here."""
    problems = [
        f"{stage}: in {entry['in']} != kept {entry['kept']} + dropped {sum(entry['dropped'].values())}"
        for stage, entry in stages.items()
        if not entry["balanced"]
    ]
    order = [stage for stage in STAGES if stage in stages]
    for before, after in zip(order, order[1:]):
        if after not in REGROUPED and stages[before]["kept"] != stages[after]["in"]:
            problems.append(f"{before} kept {stages[before]['kept']} but {after} read {stages[after]['in']}")
    return problems


def where_everything_went(stages: dict[str, dict]) -> str:
    """For a run that kept no document: the first stage that kept nothing and its largest drop reasons,
    in a few words ("fetch dropped all 24 records: ssrf 20, dns 4")."""
    for stage in [s for s in STAGES if s in stages]:
        entry = stages[stage]
        if entry["kept"]:
            continue
        if not entry["in"]:
            return f"{stage} received no record"
        top = sorted(entry["dropped"].items(), key=lambda item: (-item[1], item[0]))[:3]
        reasons = ", ".join(f"{reason} {n}" for reason, n in top)
        return f"{stage} dropped all {entry['in']} records ({reasons})"
    return "no stage kept a document"
