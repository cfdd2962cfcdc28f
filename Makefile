# The course's commands. `make course` and `make test` work on a fresh machine: they create
# .venv from requirements.txt when it is missing (or when requirements change).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORK ?= my-work
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
PORT ?= 8888

.PHONY: course test release grade lint learner-copy bench browser

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Learners: set up (first time) and open JupyterLab on your own copy of the notebooks.
course: $(STAMP) learner-copy
	$(BIN)/jupyter lab --notebook-dir=$(WORK) --port=$(PORT)

## Copy modules that are new in notebooks/ into your working copy; never overwrites your answers.
learner-copy:
	@mkdir -p $(WORK)
	@for module in notebooks/*/; do \
		name=$$(basename $$module); \
		if [ ! -e "$(WORK)/$$name" ]; then cp -r "$$module" "$(WORK)/$$name"; echo "new in $(WORK)/: $$name"; fi; \
	done

## Everyone: run the whole test suite (both cores).
test: $(STAMP) browser
	$(BIN)/python -m pytest -n auto --dist loadgroup

## The browser tests drive Debian's Chromium (never a downloaded browser); install it when missing.
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "The browser tests need Chromium at $(CHROMIUM). Install it with: sudo apt-get install chromium"; \
			echo "(or run: make test CHROMIUM=/path/to/chromium)"; \
			exit 1; \
		fi; \
	fi

## Instructors: regenerate notebooks/ from solutions/ (nbgrader generate_assignment).
release: $(STAMP)
	$(BIN)/python -m autograder release

## Instructors: grade a folder of submissions: make grade SUBMISSIONS=path [OUT=folder]
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder> [OUT=<folder>]"; exit 2; }
	$(BIN)/python -m autograder grade "$(SUBMISSIONS)" $(if $(OUT),--out "$(OUT)")

## Everyone: time every widget demo and notebook (table + benchmarks/results/latest.json).
bench: $(STAMP)
	$(BIN)/python benchmarks/speed.py

lint: $(STAMP)
	$(BIN)/ruff check .
