"""The end-of-run summary the CLI prints, from the manifest alone."""

from webtext.guard import error_reason, stage_errors


def format_summary(manifest: dict, out_dir: str, seconds: float, report: bool = True) -> str:
    lines = [f"{'stage':<10}{'in':>9}{'kept':>9}  dropped"]
    for stage, entry in manifest["stages"].items():
        drops = ", ".join(f"{reason} {n}" for reason, n in entry["dropped"].items()) or "-"
        flag = "" if entry["balanced"] else "  (UNBALANCED)"
        lines.append(f"{stage:<10}{entry['in']:>9}{entry['kept']:>9}  {drops}{flag}")
        if len(entry.get("kept_by", {})) > 1 or set(entry.get("kept_by", {})) - {"live"}:
            kinds = ", ".join(f"{kind} {n}" for kind, n in entry["kept_by"].items())
            lines.append(f"{'':<19}kept: {kinds}")
    splits = ", ".join(f"{name} {s['documents']} docs / {s['tokens']} tokens in {s['shards']} shards"
                       for name, s in sorted(manifest["splits"].items()))
    lines += [
        "",
        f"documents {manifest['documents']}, tokens {manifest['tokens']}, text {manifest['text_bytes']:,} "
        "bytes, "
        f"{len(manifest['shards'])} shards ({splits or 'no shards'})",
        f"wall time {seconds:.1f} s",
        f"outputs   {out_dir}/manifest.json, {out_dir}/text/, {out_dir}/tokens/, {out_dir}/links/, "
        f"{out_dir}/rejects/",
    ]
    if report:
        lines.append(f"report    {out_dir}/report.html, {out_dir}/stats.json")
        lines.append(f"card      {out_dir}/README.md (a Hugging Face dataset card), {out_dir}/croissant.json")
    lines += damage_warnings(manifest) + error_warnings(manifest)
    return "\n".join(lines)


def resource_lines(run: dict) -> list[str]:
    """How a run in units went (_work/run.json): units, those an earlier run had done, and CPU seconds
    and peak resident memory per stage (the largest of the processes that ran it)."""
    resumed = run["done_before"]["fetch"]
    lines = ["", f"units     {run['units']} on {run['workers']} worker processes"
                 + (f"; {resumed} finished by an interrupted run, taken up" if resumed else ""),
             f"{'stage':<22}{'CPU s':>9}{'peak RSS':>11}"]
    lines += [f"{row['stage']:<22}{row['cpu_s']:>9.1f}{row['peak_rss_bytes'] / 2**20:>8.0f} MiB"
              for row in run["resources"]]
    return lines


def error_warnings(manifest: dict) -> list[str]:
    return [
        f"errors: {stage} {n} of {total} records raised an exception and were dropped as "
        f"{error_reason(stage)} "
        f"(rejects/ has each one; -v logs the tracebacks)"
        for stage, (n, total) in stage_errors(manifest["stages"]).items()
    ]


def damage_warnings(manifest: dict) -> list[str]:
    """One line per input file that could not be read to its end."""
    return [
        f"warning: {d['path']}: {d['records']} records read, then unreadable at byte {d['offset']}: "
        f"{d['error']}"
        for d in manifest.get("damaged_inputs", [])
    ]
