# One command for every routine task, the same locally and in CI.
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
RUN := $(UV) run --frozen

.PHONY: setup demo test check fmt bench docs clean

setup:  ## install uv (if missing) and the locked environment
	@command -v uv >/dev/null 2>&1 || test -x "$(HOME)/.local/bin/uv" || python3 -m pip install --quiet --user uv
	@$(UV) sync --frozen --quiet --compile-bytecode
	@# the project is installed editable: its own modules are compiled here, so that a
	@# machine with PYTHONDONTWRITEBYTECODE set does not compile them on every start
	@$(RUN) python -m compileall -q src >/dev/null

demo: setup  ## build the demo workspace and print the latest month's KPIs
	$(RUN) memberlens demo

test: setup  ## the whole test suite
	$(RUN) pytest

check: setup  ## lint and type-check
	$(RUN) ruff check src tests benchmarks
	$(RUN) ruff format --check src tests benchmarks
	$(RUN) mypy
	$(RUN) lint-imports --no-cache

fmt: setup
	$(RUN) ruff format src tests benchmarks
	$(RUN) ruff check --fix src tests benchmarks

bench: setup  ## performance figures (slow; see docs/benchmarks.md)
	$(RUN) python benchmarks/run.py --members 1000000

docs: setup  ## regenerate generated documentation and the SQL snapshots of the metrics
	$(RUN) python -m memberlens.catalog_docs docs/metrics.md
	$(RUN) python -m memberlens.catalog_docs --snapshots tests/metrics/snapshots

clean:
	rm -rf memberlens-demo .pytest_cache .mypy_cache .ruff_cache .hypothesis
