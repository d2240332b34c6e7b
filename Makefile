# tcplab: how TCP connection setup and teardown behave under a sysctl profile.
# `make` or `make help` lists the targets. Example: make run-profile PROFILE=tw-reuse PLAN=quick

PROFILE ?= baseline
PLAN    ?= quick
RUN     ?=
CLOSE_MODE ?= CLIENT_RST
JAVA    ?= java
MVN     ?= mvn -B -q

TCPLAB  := experiments/target/tcplab.jar
BENCH   := benchmarks/target/benchmarks.jar
SOURCES := $(shell find pom.xml benchmarks/pom.xml experiments/pom.xml benchmarks/src/main experiments/src/main -type f 2>/dev/null)
# Ties tcplab's life to make's: if make is killed, tcplab and its lab go too.
TIED    := setpriv --pdeathsig KILL --

.DEFAULT_GOAL := help
.PHONY: help prereqs build run-profile check-profile list report compare-native test clean

help: ## Show this help
	@echo "tcplab: JMH benchmarks and sysctl experiments for the Linux TCP connection lifecycle"
	@echo
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'
	@echo
	@echo "Variables:"
	@echo "  PROFILE=$(PROFILE)   a name from sysctl-profiles/ (make list) or a path to a .conf file"
	@echo "  PLAN=$(PLAN)         quick (about 3 min), full (about 2 h), or a path to a plan .json file"
	@echo "  RUN=                 a run folder, for make report (e.g. reports/baseline/latest)"
	@echo "  CLOSE_MODE=$(CLOSE_MODE) CLIENT_RST or CLIENT_FIN, for make compare-native"
	@echo
	@echo "Examples:"
	@echo "  make run-profile                         # baseline profile, quick plan"
	@echo "  make run-profile PROFILE=tw-reuse PLAN=full"
	@echo "  make check-profile PROFILE=my.conf       # validate only; applies nothing"
	@echo "  make report RUN=reports/baseline/latest  # redraw charts and report from the raw files"
	@echo "  make compare-native CLOSE_MODE=CLIENT_FIN PROFILE=tw-reuse"

prereqs: ## Check what tcplab needs; as root on Debian, install what is missing
	@experiments/scripts/prereqs.sh $(if $(filter 0,$(shell id -u)),--install,)

build: $(TCPLAB) ## Build benchmarks.jar and tcplab.jar (only when sources changed)

$(TCPLAB) $(BENCH) &: $(SOURCES) | prereqs
	$(MVN) -DskipTests package
	@touch $(TCPLAB) $(BENCH)

run-profile: build ## Apply PROFILE in fresh namespaces, run PLAN, write reports/PROFILE/RUN-ID/
	$(TIED) $(JAVA) -jar $(TCPLAB) run --profile $(PROFILE) --plan $(PLAN)

check-profile: build ## Validate PROFILE against this kernel without applying it (like nginx -t)
	$(TIED) $(JAVA) -jar $(TCPLAB) check-profile $(PROFILE)

list: build ## List profiles with their purpose, plans, and benchmarks with their parameters
	@$(JAVA) -jar $(TCPLAB) list

report: build ## Redraw charts, results.csv and the report of RUN from its raw files
	@test -n "$(RUN)" || { echo "make report: which run? (fix: make report RUN=reports/baseline/latest)" >&2; exit 2; }
	$(JAVA) -jar $(TCPLAB) report $(RUN)

compare-native: build ## Is the benchmark the bottleneck? Its rate against a minimal C client (CLOSE_MODE, PROFILE)
	$(TIED) $(JAVA) -jar $(TCPLAB) compare-native --close-mode $(CLOSE_MODE) --profile $(PROFILE)

test: | prereqs ## Build and run all tests against the real kernel (about 5 minutes)
	mvn -B --no-transfer-progress verify

clean: ## Remove build output (keeps reports/)
	$(MVN) clean
