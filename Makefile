# The two set-up commands are `make corpus` and `make test`; each creates .venv
# and installs the pinned dependencies on first use (a second call skips it).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
OUT    ?= out/sample

.PHONY: corpus test train bench sample screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))" 2>/dev/null || { echo "webtext needs Python 3.11, 3.12 or 3.13; $(PYTHON) is not one (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e ".[dev,train]"
	rm -f $(VENV)/.installed-*; touch $(STAMP)

corpus: $(STAMP)
	$(VENV)/bin/webtext corpus --sample --out $(OUT) --val_fraction 0.2 --docs_per_shard 8

test: $(STAMP)
	$(PY) -m ruff check src tests bench docs
	$(PY) -m pytest -q

# make train ARGS="--max_steps=1000 --device=cuda": ARGS come last and win; each run starts afresh in
# out/train (ARGS="--resume=true" goes on from its checkpoint instead).
train: $(STAMP)
	test -f $(OUT)/manifest.json || $(MAKE) corpus
	$(VENV)/bin/webtext train --corpus=$(OUT) --out_dir=out/train --model=tiny --max_steps=300 \
	    --learning_rate=3e-3 --min_lr=3e-4 --log_interval=25 --eval_interval=100 \
	    $(if $(findstring resume,$(ARGS)),,--overwrite=true) $(ARGS)

bench: $(STAMP)
	@test -f bench/run_all.py || { echo "No benchmarks yet (each stage's issue adds its own)."; exit 2; }
	$(PY) bench/run_all.py

sample: $(STAMP)
	$(VENV)/bin/webtext sample --out src/webtext/sample/data

screenshots: $(STAMP)
	test -f $(OUT)/report.html || $(MAKE) corpus
	bash docs/screenshot.sh $(OUT)/report.html

clean:
	rm -rf out .pytest_cache
