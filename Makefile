# inkread: `make demo` sets everything up and runs the main job; `make test` runs the tests.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo model tune test lint typecheck unit system bench clean lock

# Installs the exact versions in constraints.txt (the ones the tests last passed with), into an
# emptied .venv: a package dropped from constraints.txt must not linger from an earlier install.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found. Fix: install Python 3.11 or run make PYTHON=python3"; exit 2; }
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# The peers the real-handwriting benchmark measures: RapidOCR (pip) and Tesseract (Debian).
PEERS := $(VENV)/.peers
$(PEERS): $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,peers]'
	@touch $(PEERS)

# Debian packages the tests use (Fashion-MNIST); installed only when missing and possible.
system:
	@bash scripts/install-system-packages.sh

# The main job: verify MNIST, preview augmentation, train the fast recipe, write an evaluation report;
# then read real handwriting (examples/, writers no model trained on) with the bundled default model.
demo: $(STAMP)
	$(BIN)/inkread data check mnist
	$(BIN)/inkread data preview mnist --augment -o runs/preview.png
	rm -rf runs/demo
	$(BIN)/inkread train --config configs/fast.yaml --set train.epochs=3 --set run.name=demo
	$(BIN)/inkread evaluate runs/demo -o runs/demo/report
	$(BIN)/inkread read examples/*.png

# The bundled default model: train configs/default.yaml (MNIST, Fashion-MNIST and the real collections
# whose terms allow it, about 25 min on 2 cores), then export it into the package with its model card.
model: $(STAMP) system
	rm -rf runs/default
	$(BIN)/inkread train --config configs/default.yaml
	$(BIN)/inkread models bundle runs/default

# Tune the fast recipe, register the best trial's model and point digits@champion at it;
# then `inkread serve --model models:/digits@champion` serves it.
tune: $(STAMP)
	$(BIN)/inkread tune --config configs/tune-fast.yaml --trials 12 --register digits --alias champion

# ruff, then the layers contract in .importlinter (docs/architecture.md)
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2

test: $(STAMP) system lint typecheck unit

bench: $(PEERS)
	@bash scripts/install-system-packages.sh tesseract-ocr
	$(BIN)/python benchmarks/data_pipeline.py
	$(BIN)/python benchmarks/scratch_vs_references.py
	$(BIN)/python benchmarks/time_to_accuracy.py
	$(BIN)/python benchmarks/train_step.py
	$(BIN)/python benchmarks/read_strings.py
	$(BIN)/python benchmarks/real_input.py
	$(BIN)/python benchmarks/real_handwriting.py --model default --count 100 \
		$(if $(wildcard runs/demo/checkpoint.json),--mnist-model runs/demo)
	$(BIN)/python benchmarks/serve_load.py
	$(BIN)/python benchmarks/accuracy.py --seeds 0 1 2

# Re-resolve the dependencies to their newest allowed releases and rewrite constraints.txt.
lock:
	PYTHON=$(PYTHON) bash scripts/lock-dependencies.sh

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
