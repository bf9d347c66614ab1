# cnplan: two commands. `make plan` and `make test` each create .venv if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: plan test test-slow test-browser lint bench clean venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins the versions the tests last passed with (see its header)
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

REFERENCE_PLANS := sunderland tochigi tochigi_company_plan tochigi_sofc30_whatif \
	sunderland_sbti_v2 tochigi_sbti_v2 sunderland_hourly_whatif tochigi_hourly_whatif
RESOLUTION ?= repdays:12
# every reference plan is checked hour by hour (docs/optimiser.md, "Hourly verification");
# make plan VERIFY= skips it
VERIFY ?= --verify

# make plan re-runs on purpose, so it replaces its own earlier outputs (--overwrite); it ends
# with the Tochigi scenarios side by side (what the company's SOFC path, the 30 % what-if and
# counting the targets by SBTi v2 or matching scope 2 hourly cost over the least-cost plan) in
# out/compare_tochigi, and Sunderland in the same modes in out/compare_sunderland
plan: $(STAMP)
	$(BIN)/cnplan validate $(foreach s,$(REFERENCE_PLANS),sites/$(s).yaml)
	@for s in $(REFERENCE_PLANS); do \
		$(BIN)/cnplan plan sites/$$s.yaml --out out/$$s --resolution $(RESOLUTION) --overwrite \
			$(VERIFY) \
			|| exit $$?; \
	done
	$(BIN)/cnplan compare out/tochigi out/tochigi_company_plan out/tochigi_sofc30_whatif \
		out/tochigi_sbti_v2 out/tochigi_hourly_whatif --out out/compare_tochigi --overwrite
	$(BIN)/cnplan compare out/sunderland out/sunderland_sbti_v2 out/sunderland_hourly_whatif \
		--out out/compare_sunderland --overwrite

test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

# Opens the report in headless Chromium (Debian's package; needs root or sudo for apt-get)
test-browser: $(STAMP)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,browser]'
	$(BIN)/python -m pytest -m browser -p no:cacheprovider

# Slow checks, among them the PyPSA cross-check of the economic conventions (needs pypsa)
test-slow: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	$(BIN)/python -m pytest -m slow

# ruff, and mypy with the pydantic plugin (configuration in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Not part of make test; about 70 min on 2 cores (15 of them the hourly horizon). Writes bench/RESULTS.md and bench/results.json
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) out
