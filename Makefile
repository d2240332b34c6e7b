# tcplab: how TCP connection setup and teardown behave under a sysctl profile.
# `make` or `make help` lists the targets. Example: make run-profile PROFILE=tw-reuse PLAN=quick

PROFILE ?= baseline
PLAN    ?= quick
RUN     ?=
RUNS    ?=
BASELINE ?=
SIDES ?=
CLOSE_MODES ?=
THREADS ?=
ROUNDS ?=
BIND    ?= 127.0.0.1
PORT    ?= 7000
POLICY  ?= READ_UNTIL_EOF
LIFETIME ?= 10m
MODE    ?= namespace
KERNELS ?= host 6.1
EMULATE ?=
REMOTE  ?=
SSH_CONFIG ?=
CONFIRM ?=
PARALLEL ?=
JAVA    ?= java
MVN     ?= mvn -B -q

TCPLAB  := experiments/target/tcplab.jar
BENCH   := benchmarks/target/benchmarks.jar
SOURCES := $(shell find pom.xml benchmarks/pom.xml experiments/pom.xml benchmarks/src/main experiments/src/main -type f 2>/dev/null)
# Ties tcplab's life to make's: if make is killed, tcplab and its lab go too.
TIED    := setpriv --pdeathsig KILL --
# PARALLEL=N: timer-bound configurations side by side (default 6; 1 runs one at a time)
PARALLEL_ARGS := $(if $(PARALLEL),--parallel $(PARALLEL),)

.DEFAULT_GOAL := help
.PHONY: restore serve test-faults test-matrix test-remote help prereqs test-prereqs matrix-prereqs remote-prereqs run-matrix build run-profile run-all check-profile list report compare screenshot compare-native test clean

help: ## Show this help
	@echo "tcplab: JMH benchmarks and sysctl experiments for the Linux TCP connection lifecycle"
	@echo
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'
	@echo
	@echo "Variables:"
	@echo "  PROFILE=$(PROFILE)   a name from sysctl-profiles/ (make list) or a path to a .conf file"
	@echo "  PLAN=$(PLAN)         quick (about 2 min), full (about 35 min), exact (about 2 h 20 min), or a path to a plan .json file (experiments/plans/)"
	@echo "  KERNELS=\"$(KERNELS)\"  for make run-matrix: host (this machine's kernel) and Debian kernel versions or packages"
	@echo "  EMULATE=yes          for make run-matrix where KVM cannot run them: guests under software emulation (slower)"
	@echo "  MODE=$(MODE)    namespace (this machine untouched) or host (the profile applied to this machine, restored; CONFIRM=yes)"
	@echo "  REMOTE=user@host     two machines: this one the client, that one the server over your ssh (the profile on both, restored; CONFIRM=yes)"
	@echo "  SSH_CONFIG=          an ssh_config file for REMOTE instead of ~/.ssh/config"
	@echo "  RUN=                 a run folder, for make report (e.g. reports/baseline/latest)"
	@echo "  RUNS=                run folders or profile names (= their latest run), for make compare"
	@echo "  BASELINE=            the run or profile compare's ratios are to (default: the first of RUNS)"
	@echo "  SIDES= CLOSE_MODES= THREADS= ROUNDS=  for make compare-native (default: client,server,stack; CLIENT_RST,CLIENT_FIN; 1,2; 5)"
	@echo "  BIND=$(BIND) PORT=$(PORT) POLICY=$(POLICY) LIFETIME=$(LIFETIME)   for make serve (its lifetime is bounded)"
	@echo
	@echo "Examples:"
	@echo "  make run-profile                         # baseline profile, quick plan"
	@echo "  make run-profile PROFILE=tw-reuse PLAN=full"
	@echo "  make run-profile PLAN=remote REMOTE=root@server CONFIRM=yes   # this machine -> server over a real network"
	@echo "  make check-profile PROFILE=my.conf       # validate only; applies nothing"
	@echo "  make report RUN=reports/baseline/latest  # redraw charts and report from the raw files"
	@echo "  make compare RUNS=\"baseline tw-reuse\"    # latest run of each profile, side by side"
	@echo "  make run-all PLAN=quick                  # every profile, then the comparison"
	@echo "  make run-matrix KERNELS=\"host 6.1\" PLAN=kernels   # the same plan on this kernel and Debian's 6.1, side by side"
	@echo "  make compare-native SIDES=server THREADS=1    # the tcplab server against the C server only"

prereqs: ## Check what tcplab needs; as root on Debian, install what is missing
	@experiments/scripts/prereqs.sh $(if $(filter 0,$(shell id -u)),--install,)

test-prereqs:
	@experiments/scripts/prereqs.sh --tests $(if $(filter 0,$(shell id -u)),--install,)

matrix-prereqs:
	@experiments/scripts/prereqs.sh --matrix $(if $(filter 0,$(shell id -u)),--install,)

remote-prereqs:
	@experiments/scripts/prereqs.sh --remote $(if $(filter 0,$(shell id -u)),--install,)

# what a two-machine run adds to the command line
REMOTE_ARGS = $(if $(REMOTE),--remote $(REMOTE) $(if $(SSH_CONFIG),--ssh-config $(SSH_CONFIG),),)

build: $(TCPLAB) ## Build benchmarks.jar and tcplab.jar (only when sources changed)

$(TCPLAB) $(BENCH) &: $(SOURCES) | prereqs
	$(MVN) -DskipTests package
	@touch $(TCPLAB) $(BENCH)

run-profile: build $(if $(REMOTE),remote-prereqs,) ## Apply PROFILE in fresh namespaces, run PLAN, write reports/PROFILE/RUN-ID/ (MODE=host, or REMOTE=user@host; CONFIRM=yes)
	$(TIED) $(JAVA) -jar $(TCPLAB) run --profile $(PROFILE) --plan $(PLAN) $(PARALLEL_ARGS) $(if $(REMOTE),$(REMOTE_ARGS),--mode $(MODE)) $(if $(filter yes,$(CONFIRM)),--yes-change-this-machine,)

run-matrix: build | matrix-prereqs ## Run PLAN under PROFILE on each of KERNELS ("host 6.1"): Debian kernels boot in QEMU guests (EMULATE=yes without KVM)
	$(TIED) $(JAVA) -jar $(TCPLAB) run-matrix --kernels "$(KERNELS)" --profile $(PROFILE) --plan $(PLAN) $(if $(filter yes,$(EMULATE)),--emulate,)

restore: build ## Put back this machine's settings after a host-mode run that was killed (as root); REMOTE=user@host: that machine's
	$(JAVA) -jar $(TCPLAB) restore $(REMOTE_ARGS)

check-profile: build ## Validate PROFILE against this kernel without applying it (like nginx -t)
	$(TIED) $(JAVA) -jar $(TCPLAB) check-profile $(PROFILE)

list: build ## List profiles with their purpose, plans, and benchmarks with their parameters
	@$(JAVA) -jar $(TCPLAB) list

report: build ## Redraw charts, results.csv and the report of RUN from its raw files
	@test -n "$(RUN)" || { echo "make report: which run? (fix: make report RUN=reports/baseline/latest)" >&2; exit 2; }
	$(JAVA) -jar $(TCPLAB) report $(RUN)

compare: build ## Set runs side by side: RUNS="baseline tw-reuse" (profile names mean their latest run) [BASELINE=]
	@test -n "$(RUNS)" || { echo "make compare: which runs? (fix: make compare RUNS=\"baseline tw-reuse\"; a profile name means its latest run)" >&2; exit 2; }
	$(JAVA) -jar $(TCPLAB) compare $(if $(BASELINE),--baseline $(BASELINE),) $(RUNS)

# baseline first, so the comparison's ratios are to it; a profile whose run fails does not stop the others
PROFILES_ALL := baseline $(sort $(filter-out baseline,$(basename $(notdir $(wildcard sysctl-profiles/*.conf)))))
run-all: build ## Run PLAN under every profile in sysctl-profiles/, then compare them all (ratios to baseline)
	@failed=0; n=0; for p in $(PROFILES_ALL); do n=$$((n+1)); \
	  echo "== run-all: profile $$p ($$n of $(words $(PROFILES_ALL))), plan $(PLAN)"; \
	  $(TIED) $(JAVA) -jar $(TCPLAB) run --profile $$p --plan $(PLAN) $(PARALLEL_ARGS); rc=$$?; \
	  if [ $$rc -eq 130 ]; then echo "run-all: interrupted" >&2; exit 130; fi; \
	  if [ $$rc -ne 0 ]; then failed=1; fi; \
	done; \
	$(JAVA) -jar $(TCPLAB) compare $(PROFILES_ALL) || exit $$?; exit $$failed

screenshot: ## Screenshot an HTML report with headless Chromium: HTML=reports/baseline/latest/report.html
	@test -n "$(HTML)" || { echo "make screenshot: which page? (fix: make screenshot HTML=reports/compare/latest/comparison.html)" >&2; exit 2; }
	@command -v chromium >/dev/null || { echo "make screenshot: chromium is missing (fix: sudo apt-get install chromium)" >&2; exit 3; }
	chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update \
	  --hide-scrollbars --window-size=1280,6000 --screenshot=$(basename $(HTML)).png file://$(abspath $(HTML)) 2>/dev/null
	@echo $(basename $(HTML)).png

serve: build ## Run the tcplab server for another machine's benchmarks: BIND=0.0.0.0 PORT=7000 POLICY= LIFETIME=10m
	$(JAVA) -jar $(TCPLAB) serve --bind $(BIND) --port $(PORT) --policy $(POLICY) --lifetime $(LIFETIME)

compare-native: build ## Is tcplab the bottleneck? Its client, server and stack against C doing the same work (SIDES, CLOSE_MODES, THREADS, ROUNDS; about 17 minutes)
	$(TIED) $(JAVA) -jar $(TCPLAB) compare-native $(if $(filter command line environment,$(origin PROFILE)),--profile $(PROFILE)) \
	  $(if $(SIDES),--sides $(SIDES)) $(if $(CLOSE_MODES),--close-modes $(CLOSE_MODES)) $(if $(THREADS),--threads $(THREADS)) $(if $(ROUNDS),--rounds $(ROUNDS))

test: | prereqs test-prereqs ## Build and run all tests against the real kernel (about 9 minutes)
	mvn -B --no-transfer-progress verify

test-faults: build | test-prereqs ## Longer opt-in fault injection: SIGKILL tcplab at 24 moments, SIGINT, killed lab (about 6 minutes)
	mvn -B --no-transfer-progress -pl experiments -am verify -Dtest=KillSafetyTest -Dsurefire.failIfNoSpecifiedTests=false -Dtcplab.killRounds=24

test-matrix: build | test-prereqs ## Longer opt-in guest-kernel test: a tiny plan on Debian 6.1 and this kernel, each against its own model (about 8 minutes)
	mvn -B --no-transfer-progress -pl experiments -am verify -Dtest=KernelMatrixTest -Dsurefire.failIfNoSpecifiedTests=false -Dtcplab.matrixLong=true

test-remote: build | test-prereqs ## Longer opt-in two-machine test: SIGINT, a killed ssh and a dropped link against a namespaced sshd (about 2 minutes)
	mvn -B --no-transfer-progress -pl experiments -am verify -Dtest=TwoMachineRunTest -Dsurefire.failIfNoSpecifiedTests=false -Dtcplab.remoteLong=true

clean: ## Remove build output (keeps reports/)
	$(MVN) clean
