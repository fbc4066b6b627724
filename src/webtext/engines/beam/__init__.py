"""The Beam engine: graph.py wires the stages' transforms into one pipeline, tally.py counts each stage,
options.py names the runner, engine.py runs it, runner_errors.py says what a cluster runner's trouble is."""
