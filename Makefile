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

.PHONY: course exam readiness review test release grade lint learner-copy bench browser sandbox hub-proxy postgres

# Tests and grading run several kernels at once on few cores: one maths thread per kernel avoids
# oversubscription (measured here: small fits 5 to 50 times slower with default threads under load).
test grade: export OMP_NUM_THREADS = 1
test grade: export OPENBLAS_NUM_THREADS = 1
test grade: export MKL_NUM_THREADS = 1

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Learners: set up (first time) and open JupyterLab on your own copy of the notebooks.
# As root (a container, a cloud machine) JupyterLab refuses to start without --allow-root.
course: $(STAMP) learner-copy
	$(BIN)/jupyter lab --notebook-dir=$(WORK) --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root)

## Copy modules that are new in notebooks/ into your working copy; never overwrites your answers.
learner-copy:
	@mkdir -p $(WORK)
	@for module in notebooks/*/; do \
		name=$$(basename $$module); \
		if [ ! -e "$(WORK)/$$name" ]; then cp -r "$$module" "$(WORK)/$$name"; echo "new in $(WORK)/: $$name"; fi; \
	done

## Learners: what is due for spaced review in your working copy (ARGS=--drill runs the drills here;
## LEARNER=<id> says whose schedule, needed only when several learners share the working copy).
review: $(STAMP)
	$(BIN)/python -m coursekit.review --work "$(WORK)" --learner "$(LEARNER)" $(ARGS)

## Candidates: start a timed attempt at the mock exam (a fresh paper in $(WORK)/09_mock_exam/attempt-<N>/):
## make exam LEARNER=<your id> [ABANDON=1 to give up an attempt still open]
exam: $(STAMP)
	@test -n "$(LEARNER)" || { echo "usage: make exam LEARNER=<your learner id> [ABANDON=1]"; exit 2; }
	@$(BIN)/python -m coursekit.attempts start --learner "$(LEARNER)" --work "$(WORK)" $(if $(ABANDON),--abandon)

## Candidates: (re)write your readiness page (per competency: score over attempts, estimate, verdict) from
## your self-checked attempts: make readiness LEARNER=<your id>; it is $(WORK)/.exam/readiness-<id>.html
readiness: $(STAMP)
	@test -n "$(LEARNER)" || { echo "usage: make readiness LEARNER=<your learner id>"; exit 2; }
	@$(BIN)/python -m coursekit.attempts readiness --learner "$(LEARNER)" --work "$(WORK)"

## Everyone: run the whole test suite (both cores).
test: $(STAMP) browser sandbox hub-proxy postgres
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

## Grading runs each learner's kernel in a bubblewrap sandbox (Debian's bubblewrap); install it when
## missing and possible (root with apt-get). Elsewhere `make grade` warns loudly and runs unsandboxed.
sandbox:
	@if ! command -v bwrap >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian's bubblewrap for the grading sandbox"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
		else \
			echo "note: bubblewrap (bwrap) is missing: grading will run learner code unsandboxed (sudo apt-get install bubblewrap)"; \
		fi; \
	fi

## The PostgreSQL gradebook tests start a throwaway server (tests/pg_server.py) from Debian's
## postgresql: install it when missing and possible (root with apt-get), without the system cluster
## Debian would start on port 5432; elsewhere those tests skip.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && ! command -v postgres >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian's postgresql for the gradebook tests"; \
			mkdir -p /etc/postgresql-common/createcluster.d; \
			echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/no-main-cluster.conf; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
		else \
			echo "note: PostgreSQL is missing: its gradebook tests will be skipped (sudo apt-get install postgresql)"; \
		fi; \
	fi

## The course hub (hub/, tests/test_hub.py) needs configurable-http-proxy from npm: install it into
## hub/.proxy (never globally) when missing.
HUB_PROXY := hub/.proxy/node_modules/.bin/configurable-http-proxy
hub-proxy:
	@if [ ! -x "$(HUB_PROXY)" ]; then \
		if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian's npm for the hub's proxy"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
		fi; \
		command -v npm >/dev/null 2>&1 || { echo "The hub needs npm (Node.js) for configurable-http-proxy: sudo apt-get install npm"; exit 1; }; \
		echo "installing configurable-http-proxy into hub/.proxy"; \
		npm install --silent --no-audit --no-fund --prefix hub/.proxy configurable-http-proxy@5.3.0; \
	fi

## Instructors: regenerate notebooks/ from solutions/ (nbgrader generate_assignment).
release: $(STAMP)
	$(BIN)/python -m autograder release

## Instructors: grade a cohort: make grade SUBMISSIONS=folder-or-zip [OUT=folder] [WORKERS=n] [SCHEDULER=tcp://host:8786] [DB_URL=url] [CANVAS_ROSTER=csv] [ARGS="more options"]
grade: $(STAMP) sandbox
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder or .zip> [OUT=<folder>] [WORKERS=<n>] [SCHEDULER=tcp://<host>:8786] [DB_URL=<url>] [CANVAS_ROSTER=<csv>] [ARGS=\"<more options>\"]"; exit 2; }
	$(BIN)/python -m autograder grade "$(SUBMISSIONS)" $(if $(OUT),--out "$(OUT)") $(if $(WORKERS),--workers $(WORKERS)) $(if $(SCHEDULER),--scheduler "$(SCHEDULER)") $(if $(DB_URL),--db-url "$(DB_URL)") $(if $(CANVAS_ROSTER),--canvas-roster "$(CANVAS_ROSTER)") $(ARGS)

## Everyone: time every widget demo and notebook (table + benchmarks/results/latest.json).
bench: $(STAMP)
	$(BIN)/python benchmarks/speed.py

## Everyone: lint (ruff) and the grader's import layers (import-linter, contracts in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
