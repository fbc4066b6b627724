"""A stage's tally as Beam counts it: (stage, outcome) -> count records from the PCollections entering and
leaving the stage and its drop records, counted independently (run/accounting.py checks that they balance)."""

import apache_beam as beam


def _count_as(pcoll, stage: str, outcome: str, summed: bool = False):
    total = beam.CombineGlobally(sum) if summed else beam.combiners.Count.Globally()
    return (pcoll
            | f"Count{stage}_{outcome}" >> total
            | f"Key{stage}_{outcome}" >> beam.Map(lambda n: ((stage, outcome), n)))


class TallyStage(beam.PTransform):
    """One stage's (stage, outcome) -> count records; outcome is "in", "kept" or "dropped:<reason>".

    `inputs` is the PCollection entering the stage, or, with `inputs_are_counts`,
    numbers to add up (the read stage counts lines per file where it reads them).
    Likewise `kept`, with `kept_are_counts` (the tokenize stage: documents per written shard).
    `kept_as` names a kept record's kind (the fetch stage: live or which archive) for a
    "kept_by" breakdown beside the kept count.
    """

    def __init__(self, stage: str, inputs, kept, drops=None, inputs_are_counts: bool = False,
                 kept_are_counts: bool = False, kept_as=None):
        super().__init__()
        self._stage, self._inputs, self._kept, self._drops = stage, inputs, kept, drops
        self._inputs_are_counts, self._kept_are_counts, self._kept_as = (
            inputs_are_counts,
            kept_are_counts,
            kept_as,
        )

    def expand(self, pbegin):
        stage = self._stage
        parts = [_count_as(self._inputs, stage, "in", self._inputs_are_counts),
                 _count_as(self._kept, stage, "kept", self._kept_are_counts)]
        if self._drops is not None:
            parts.append(self._drops
                         | "ByReason" >> beam.Map(lambda d: ((d.stage, f"dropped:{d.reason}"), 1))
                         | "SumReasons" >> beam.CombinePerKey(sum))
        if self._kept_as is not None:  # kept records by kind, outcome "kept:<kind>"
            kept_as = self._kept_as
            parts.append(self._kept
                         | "ByKind" >> beam.Map(lambda r: ((stage, f"kept:{kept_as(r)}"), 1))
                         | "SumKinds" >> beam.CombinePerKey(sum))
        return parts | "Tally" >> beam.Flatten()
