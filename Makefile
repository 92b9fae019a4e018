# The two commands of the README: `make demo` and `make test`. Both set up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup system-deps demo test samples quality throughput

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

test: setup system-deps
	$(BIN)/python -m pytest -q

# Rebuild the sample PDFs from samples/src and check them against their answer files.
samples: setup
	$(BIN)/python samples/build.py

# Recall, precision and over-redaction on the bundled samples.
quality: setup
	$(BIN)/python benchmarks/quality_samples.py

# Pages/s of batch propose (vs vanilla Presidio), apply + verify, 1 -> 2 workers, peak memory.
throughput: setup
	$(BIN)/python benchmarks/throughput.py
