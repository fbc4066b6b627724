"""What the manifest says of dedup: its parameters, the S-curve they imply, cluster sizes and the
components' convergence."""

from webtext.dedup.minhash import bands_and_rows, collision_probability
from webtext.dedup.settings import DedupSettings


def dedup_summary(config: DedupSettings, stats: list) -> dict:
    """Parameters, the S-curve they imply, cluster sizes and the components' convergence."""
    bands, rows = bands_and_rows(config.threshold, config.num_perm)
    sizes = {str(key[1]): n for key, n in stats if key[0] == "cluster_size"}
    unconverged = sum(n for key, n in stats if key[0] == "unconverged_nodes")
    return {
        "cluster_sizes": dict(sorted(sizes.items(), key=lambda kv: int(kv[0]))),
        "component_rounds": config.rounds,
        "unconverged_nodes": unconverged,
        "threshold": config.threshold,
        "num_perm": config.num_perm,
        "shingle_words": config.shingle_words,
        "bands": bands,
        "rows": rows,
        "verify_estimated_jaccard": config.verify,
        "s_curve": {
            f"{j:.1f}": round(collision_probability(j, bands, rows), 6) for j in (0.3, 0.5, 0.7, 0.8, 0.9)
        },
    }
