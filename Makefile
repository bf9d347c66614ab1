# cnplan: two commands. `make plan` and `make test` each create .venv if it is missing
# (`make plans-all`: every plan in sites/).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: plan plans-all fleet alternatives test test-slow test-browser lint bench clean venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins the versions the tests last passed with (see its header)
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# make plan: the two reference plans, checked hour by hour (docs/optimiser.md, "Hourly
# verification"), each with its business as usual and report, and Tochigi beside the
# company's published SOFC path (a scenario of the same plant, in the same currency);
# make plans-all: every plan in sites/ and both sites' scenario comparisons
REFERENCE_PLANS := sunderland tochigi
COMPARED_PLAN := tochigi_company_plan
ALL_PLANS := sunderland tochigi tochigi_company_plan tochigi_sofc30_whatif \
	sunderland_sbti_v2 tochigi_sbti_v2 sunderland_hourly_whatif tochigi_hourly_whatif \
	sunderland_batteries_whatif
RESOLUTION ?= repdays:12
# make plan VERIFY= skips the hourly check; REPLANS: how many times the hourly check may
# re-plan with the days it found short (docs/optimiser.md "Adequacy"; cnplan's default is 3)
VERIFY ?= --verify
REPLANS ?= 1

# $(call run_plans,NAMES,OPTIONS): cnplan plan each sites/NAME.yaml into out/NAME
define run_plans
	@for s in $(1); do \
		$(BIN)/cnplan plan sites/$$s.yaml --out out/$$s --resolution $(RESOLUTION) --overwrite \
			$(2) || { rc=$$?; [ $$rc -eq 3 ] || exit $$rc; \
			          echo "note: out/$$s is written, but misses a target or leaves demand unserved (exit 3)"; }; \
	done
endef

# Both targets re-run on purpose, so they replace their own earlier outputs (--overwrite).
# make plan: about 8 minutes on a 2-core machine (7.4-7.9 measured). The company's path (not itself
# verified hour by hour: one single-threaded solve) runs beside Sunderland, whose planning
# solve leaves the second core free; the hourly checks use both cores, so Tochigi runs
# after them. It ends with the least-cost plan and the company's path side by side in
# out/compare_tochigi.
plan: $(STAMP)
	$(BIN)/cnplan validate $(foreach s,$(REFERENCE_PLANS) $(COMPARED_PLAN),sites/$(s).yaml)
	@$(MAKE) --no-print-directory -j2 --output-sync=target run-sunderland run-$(COMPARED_PLAN)
	@$(MAKE) --no-print-directory $(addprefix run-,$(filter-out sunderland,$(REFERENCE_PLANS)))
	$(BIN)/cnplan compare out/tochigi out/$(COMPARED_PLAN) --out out/compare_tochigi --overwrite
	@$(MAKE) --no-print-directory fleet

# make fleet: the reference fleet (sites/fleet/: three plants, three currencies, corporate
# targets) decomposed on two local Dask workers, with plant targets kept and dropped for the
# value of flexibility; its report and each plant's in out/fleet_nissan (docs/fleet.md)
FLEET_RESOLUTION ?= repdays:4
fleet: $(STAMP)
	@$(BIN)/cnplan fleet sites/fleet/nissan.yaml --out out/fleet_nissan --overwrite \
		--resolution $(FLEET_RESOLUTION) --workers 2 \
		|| { rc=$$?; [ $$rc -eq 3 ] || exit $$rc; \
		     echo "note: out/fleet_nissan is written, but misses a target (exit 3; its summary.json says where)"; }

# make alternatives: Tochigi's least-cost plan and 10 near-optimal alternatives within 2 % of
# its cost (each lever to its most and least; docs/alternatives.md), on two worker processes,
# in out/tochigi_alternatives: about 7 minutes on 2 cores (bench/RESULTS.md "Alternatives")
alternatives: $(STAMP)
	$(BIN)/cnplan plan sites/tochigi.yaml --out out/tochigi_alternatives --overwrite \
		--resolution $(RESOLUTION) --alternatives 10 --slack 0.02 --jobs 2

# run-NAME: cnplan plan sites/NAME.yaml into out/NAME (the reference plans verified); FORCE
# re-runs it (a .PHONY target would skip this pattern rule)
# Exit code 3 (the plan is written but misses a target or, checked hour by hour, leaves
# demand unserved) is a result, not a failed run: it is shown and the target goes on.
run-%: FORCE
	@$(BIN)/cnplan plan sites/$*.yaml --out out/$* --resolution $(RESOLUTION) --overwrite \
		$(if $(filter $*,$(REFERENCE_PLANS)),$(if $(VERIFY),$(VERIFY) --replans $(REPLANS))) \
		|| { rc=$$?; [ $$rc -eq 3 ] || exit $$rc; \
		     echo "note: out/$* is written, but the plan misses a target or leaves demand unserved hour by hour (exit 3; out/$*/summary.json says where)"; }

# make plans-all: every plan verified, then the Tochigi scenarios side by side (what the
# company's SOFC path, the 30 % what-if and counting the targets by SBTi v2 or matching scope 2
# hourly cost over the least-cost plan) in out/compare_tochigi, and Sunderland in the same
# modes and with workplace EVs and ageing batteries in out/compare_sunderland
plans-all: $(STAMP)
	$(BIN)/cnplan validate $(foreach s,$(ALL_PLANS),sites/$(s).yaml)
	$(call run_plans,$(ALL_PLANS),$(VERIFY))
	$(BIN)/cnplan compare out/tochigi out/tochigi_company_plan out/tochigi_sofc30_whatif \
		out/tochigi_sbti_v2 out/tochigi_hourly_whatif --out out/compare_tochigi --overwrite
	$(BIN)/cnplan compare out/sunderland out/sunderland_sbti_v2 out/sunderland_hourly_whatif \
		out/sunderland_batteries_whatif --out out/compare_sunderland --overwrite

FORCE:

# make test runs on TEST_WORKERS processes (pytest-xdist; 2, the CI machine's cores), each
# test file on one of them so that its module fixtures are built once; TEST_WORKERS=0 runs
# in this process
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser" -n $(TEST_WORKERS) --dist loadfile \
		--durations=25

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
