# hygiene — the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test test-postgres test-reliability lint fmt bench clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install hygiene with its test tools

demo: $(STAMP)  ## load the demo district on SQLite (./var), plan reminders, serve on http://127.0.0.1:8080
	$(BIN)/hygiene db upgrade
	$(BIN)/hygiene demo
	@# First run only: a console user for the demo (a second run says it already exists).
	-@$(BIN)/hygiene users add admin@minhson.example --role admin,security 2>/dev/null
	$(BIN)/hygiene run plan
	@echo "Web: http://127.0.0.1:8080/ (portal /portal, console /console; set the console password at /console/setup)."
	@echo "Messages land as files in ./var/outbox/ (.eml for email, .txt for SMS) until a channel is configured;"
	@echo "they go out inside the sending window (07:30-21:00 Mon-Sat, Asia/Ho_Chi_Minh). Ctrl-C stops."
	@echo "Tin nhắn được ghi thành tệp trong ./var/outbox/ cho đến khi cấu hình kênh gửi. Nhấn Ctrl-C để dừng."
	$(BIN)/hygiene serve --host 127.0.0.1 --port 8080

# pytest exits 5 when it collected no test: that is not a failure of the code under test.
test: $(STAMP)  ## run the test suite (SQLite, or PostgreSQL when HYGIENE_TEST_DATABASE_URL is set)
	$(BIN)/pytest -q $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-postgres: $(STAMP)  ## run the suite against the local PostgreSQL
	HYGIENE_TEST_DATABASE_URL=$${HYGIENE_TEST_DATABASE_URL:-$(PG_TEST_URL)} \
		$(BIN)/pytest -q $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The long scenarios: a 2-minute SMTP outage, 50,000-message runs with 2 and 4 instances, …, on
# SQLite and on PostgreSQL; then docs/reliability.md and bench/results/reliability.json from them.
RELIABILITY_RESULTS ?= $(CURDIR)/bench/results/reliability
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-reliability: $(STAMP)  ## tests/reliability at full scale on SQLite and PostgreSQL (~30 min), then docs/reliability.md
	rm -rf $(RELIABILITY_RESULTS)
	RELIABILITY_SCALE=full RELIABILITY_RESULTS=$(RELIABILITY_RESULTS) $(BIN)/pytest -q tests/reliability
	RELIABILITY_SCALE=full RELIABILITY_RESULTS=$(RELIABILITY_RESULTS) \
		HYGIENE_TEST_DATABASE_URL=$${HYGIENE_TEST_DATABASE_URL:-$(PG_TEST_URL)} \
		$(BIN)/pytest -q tests/reliability
	$(BIN)/python bench/reliability_report.py $(RELIABILITY_RESULTS)

lint: $(STAMP)  ## ruff and mypy --strict
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)  ## run the benchmarks (prints figures and ratios)
	$(BIN)/python bench/import.py
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/plan.py --database-url $(PG_TEST_URL)
	$(BIN)/python bench/deliver.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
