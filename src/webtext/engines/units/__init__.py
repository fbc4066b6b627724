"""The one-machine engine: the corpus pipeline cut into units that share nothing, done by a pool of local
worker processes and committed to disk when whole (`--workers N`, the default for a replayed corpus).

launcher.py runs the steps (read, links, WARC index, fetch, dedup, tokenize, shards); worker.py is a worker
process and its fetch units; steps.py the read and link units; shard_steps.py the tokenize units and
the shards; unit_dir.py how a unit is written and committed, proof.py how its files are sealed and
checked; records.py the engine's records; pool.py runs units in the pool; results.py leaves what the
Beam pipeline leaves for the manifest; engine.py is the engine as run/ calls it. Each unit calls the
stages' own Beam-free drivers, so the corpus is the one Beam pipeline's (engines/beam/graph.py), byte for
byte (tests/engines/test_conformance.py).
"""
