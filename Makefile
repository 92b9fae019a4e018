# The two commands of the README: `make demo` and `make test`. Both set up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup system-deps demo test samples quality quality-samples eval throughput

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e ".[test]"
	touch $@

# Redact every bundled sample: redacted PDFs and proposals land in out/samples/.
demo: setup
	$(BIN)/redactor redact samples --out out/samples

# Debian packages the tests need (tesseract, chromium, postgresql…), installed if missing.
system-deps:
	bash scripts/system-deps.sh

# The case store tests run against SQLite and a real PostgreSQL server: started here (or the
# one REDACTOR_TEST_PG_URL names); REDACTOR_REQUIRE_PG=1 makes them fail, not skip, without it.
test: setup system-deps
	REDACTOR_TEST_PG_URL="$${REDACTOR_TEST_PG_URL:-$$(bash scripts/start-postgres.sh)}" \
	REDACTOR_REQUIRE_PG=1 $(BIN)/python -m pytest -q

# Rebuild the sample PDFs from samples/src and check them against their answer files.
samples: setup
	$(BIN)/python samples/build.py

# Rebuild the evaluation set (eval/pdf, eval/gold) from eval/src and check its gold.
eval: setup
	$(BIN)/python eval/build.py

# Detection quality on the evaluation set, dev and heldout reported separately (benchmarks/quality.py).
quality: setup
	$(BIN)/python benchmarks/quality.py --split all

# The same measures on the eight bundled samples.
quality-samples: setup
	$(BIN)/python benchmarks/quality_samples.py

# Pages/s of batch propose (vs vanilla Presidio), apply + verify, 1 -> 2 workers, peak memory.
throughput: setup
	$(BIN)/python benchmarks/throughput.py
