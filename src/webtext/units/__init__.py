"""The one-machine engine: the corpus pipeline cut into units that share nothing, done by a pool of local
worker processes and committed to disk when whole (`--workers N`, the default for a replayed corpus).

plan.py runs the steps (read, links, WARC index, fetch, dedup, tokenize, shards); worker.py is what a
worker process does with a unit; steps.py the read and link units; pool.py runs units in the pool;
results.py leaves what the Beam pipeline leaves for the manifest; proof.py seals and checks a unit's
files; settings.py declares the engine's flags. Each unit calls the stages' own Beam-free drivers, so
the corpus is the one Beam pipeline's (pipeline/build.py), byte for byte (tests/pipeline/test_conformance.py).
"""
