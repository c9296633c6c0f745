# The commands a newcomer needs. `make run` and `make test` do all setup themselves.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: help install browser run test test-fast lint typecheck check eval noise train bench clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install newswatch with pinned dependencies

run: $(STAMP)  ## one full cycle with ./config.toml (works offline with the bundled sample)
	$(BIN)/newswatch run --once

test: $(STAMP) browser  ## the whole test suite (what CI runs)
	$(PY) -m pytest

# The entity-page browser test drives Debian's chromium through Playwright, whose own
# browser download is not reachable here. Installed when missing and apt-get can (as
# root); otherwise that one test skips and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
	  || echo "chromium not installed: the browser test will skip"

test-fast: $(STAMP)  ## unit tests only (no real model, no servers)
	$(PY) -m pytest -m "not integration"

lint: $(STAMP)  ## ruff, and the import-linter contracts in pyproject.toml (the layering)
	$(BIN)/ruff check pipeline extractors storage tests benchmarks
	$(BIN)/ruff format --check pipeline extractors storage tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)  ## mypy
	$(BIN)/mypy

check: lint typecheck test  ## everything CI cares about

eval: $(STAMP)  ## extraction quality on the dev and check gold side by side, next to the plain-NER baseline
	$(BIN)/newswatch eval $(SHARED)/eval/dev_gold.jsonl $(SHARED)/eval/dev_texts.jsonl \
		--check $(SHARED)/eval/check_gold.jsonl $(SHARED)/eval/check_texts.jsonl

noise: $(STAMP)  ## noise share of the events on the issue's general stream and on the held-apart web pages
	@# both run; the exit status is the stream's (1 while its target, under 10%, is missed)
	$(PY) -m benchmarks.stream_noise --shared $(SHARED); status=$$?; \
	  $(PY) -m benchmarks.web_noise && exit $$status

train: $(STAMP)  ## refit the relevance gate (Reuters-21578 TRAIN and the modern headlines in extractors/data/relevance/), then the event score filter (judged events + dev gold) into extractors/data/
	$(PY) -m extractors.relevance_train $(SHARED)/corpora/labelled_news/reuters21578_train.jsonl \
		--exclude $(SHARED)/eval/dev_texts.jsonl --exclude $(SHARED)/eval/check_texts.jsonl
	$(PY) -m extractors.event_scores_train $(SHARED)/corpora/labelled_news/reuters21578_train.jsonl \
		$(SHARED)/corpora/labelled_news/conll2003_dev_docs.jsonl \
		$(SHARED)/eval/dev_gold.jsonl $(SHARED)/eval/dev_texts.jsonl

bench: $(STAMP)  ## benchmarks; writes benchmarks/RESULTS.md
	$(PY) -m benchmarks

clean:  ## remove the venv, caches and the local database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache newswatch.db newswatch.db-wal newswatch.db-shm
