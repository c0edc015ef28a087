# Switchboard: `make run` and `make test` do all the set-up on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Debian packages the build, the tests and `make run` need.
# The package's tests also use Debian's packaging tools: dpkg-shlibdeps (dpkg-dev), lintian, adduser,
# systemd-analyze (systemd), setpriv (util-linux), curl. The contract tests need python3-venv; the
# dashboard's browser tests drive Debian's chromium.
PACKAGES := libhiredis-dev libmicrohttpd-dev libcurl4-openssl-dev pkg-config redis-server redis-sentinel redis-tools \
	python3 python3-venv dpkg-dev binutils lintian adduser systemd util-linux curl chromium
SWIFT_BUILD_FLAGS ?=
CONFIG ?= Config/switchboard.json
# `make install`: GNU's variables.
PREFIX ?= /usr/local
DESTDIR ?=
# The binary that is installed and packaged: release, the Swift runtime linked in (Debian has no package
# of it), stamped with the git commit (packaging/build-stamp.sh), linked with full RELRO (-z now).
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -DSWITCHBOARD_BUILD_STAMP -Xlinker -z -Xlinker now
RELEASE_BINARY = $$(swift build $(RELEASE_FLAGS) --show-bin-path)/switchboard
DEB_FOLDER := .build/deb
# The contract and browser tests' Python tools (pinned in their requirements.txt), from PyPI into a git-ignored venv.
VENV := .venv
PYTHON_REQUIREMENTS := Tests/contract/requirements.txt Tests/browser/requirements.txt

# `make fuzz`: seconds each fuzz target runs; `make test` runs each for FUZZ_CHECK_SECONDS over its corpus.
FUZZ_SECONDS ?= 180
FUZZ_CHECK_SECONDS ?= 5

.PHONY: help deps build run test contract-test package-test docs bench bench-redis-replay bench-overload bench-soak bench-sentinel bench-cluster clean release install deb fuzz fuzz-check browser-test

help:
	@echo "make run    install what is missing, start a private redis-server if none is reachable, run everything"
	@echo "make test   install what is missing, build, run every test (each test starts its own redis-server)"
	@echo "make fuzz   every fuzz target for FUZZ_SECONDS=$(FUZZ_SECONDS) s each; crashes kept in .build-fuzz/crashes/"
	@echo "make bench  release build, then the broker's ceiling and the system's numbers (bench/results.md)"
	@echo "make bench-redis-replay  release build, then a bus load's Redis commands replayed: Redis's own cost per order"
	@echo "make bench-overload  release build, then 64/1,000/4,000 clients and 2x capacity (bench/overload.md)"
	@echo "make bench-soak  release build, then an hour of orders in 4 minutes, retention in seconds (bench/soak.md)"
	@echo "make bench-sentinel  orders across Redis Sentinel failovers, durable accept on and off (README)"
	@echo "make bench-cluster  release build, then one redis-server vs Redis Cluster of 1 and 3 primaries (bench/cluster.md)"
	@echo "make build  build the switchboard executable"
	@echo "make install  release build, installed under PREFIX=$(PREFIX) (DESTDIR honoured)"
	@echo "make deb    release build, then a Debian package in $(DEB_FOLDER)/"
	@echo "make docs   embed docs/openapi.yaml, docs/asyncapi.yaml and dashboard/ in the ingress (after editing them)"
	@echo "make clean  remove build output and the private Redis data"

## deps: install the Debian packages that are missing (apt-get, as root or through sudo).
deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build $(SWIFT_BUILD_FLAGS) --product switchboard

## run: every service and the ingress, against the configured Redis or a private one started here.
run: build
	@scripts/with-redis.sh "$(CONFIG)" "$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path)/switchboard" run --config "$(CONFIG)"

# End-to-end suites that time failovers, kills and restarts: run after the others, one at a time, so a
# loaded machine does not stretch their deadlines.
SERIAL_SUITES := RedisSentinelTests RedisClusterClientTests ShardedSubscriptionClusterTests PubSubClusterTests RedisClusterStreamsTests RedisIngressStoreClusterTests ClusterCommitTests SentinelEndToEndTests ClusterEndToEndTests StreamsEndToEndTests OperabilityEndToEndTests
empty :=
space := $(empty) $(empty)

test: deps $(VENV)/.installed
	swift build $(SWIFT_BUILD_FLAGS) --build-tests
	swift test $(SWIFT_BUILD_FLAGS) --skip-build --skip "$(subst $(space),|,$(SERIAL_SUITES))"
	for suite in $(SERIAL_SUITES); do swift test $(SWIFT_BUILD_FLAGS) --skip-build --filter "$$suite" || exit 1; done
	$(MAKE) --no-print-directory fuzz-check
	$(MAKE) --no-print-directory contract-test
	$(MAKE) --no-print-directory browser-test
	$(MAKE) --no-print-directory package-test

## fuzz: the libFuzzer targets of Tests/Fuzz (scripts/fuzz.sh), instrumented in .build-fuzz; fuzz-check: each
## briefly over its seed corpus, as `make test` runs them.
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

fuzz-check: deps
	FUZZ_CHECK_SECONDS=$(FUZZ_CHECK_SECONDS) scripts/fuzz.sh --check

## package-test: build the .deb, install it, run the installed units' command lines, remove it.
package-test: deb
	Tests/Packaging/package-test.sh "$$(ls -t $(DEB_FOLDER)/switchboard_*.deb | head -1)"

## release: the binary `install` and `deb` ship.
release: deps
	packaging/build-stamp.sh
	swift build $(RELEASE_FLAGS) --product switchboard

install: release
	packaging/install.sh "$(RELEASE_BINARY)" "$(DESTDIR)" "$(PREFIX)"

deb: release
	rm -f $(DEB_FOLDER)/switchboard_*.deb
	packaging/build-deb.sh "$(RELEASE_BINARY)" $(DEB_FOLDER)

## contract-test: docs/ checked (openapi-spec-validator, the AsyncAPI 3.0 schema in docs/schemas/), then a live
## system (redis-server, `switchboard run`) held to them: every HTTP answer and event, and schemathesis.
contract-test: $(VENV)/.installed
	SWITCHBOARD_EXECUTABLE="$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path)/switchboard" \
		$(VENV)/bin/python -m pytest -p no:cacheprovider -v Tests/contract

## browser-test: the dashboard in Debian's chromium (headless, driven by playwright) against a live system;
## screenshots of each state in Tests/browser/screenshots/ (git-ignored).
browser-test: $(VENV)/.installed
	SWITCHBOARD_EXECUTABLE="$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path)/switchboard" \
		$(VENV)/bin/python -m pytest -p no:cacheprovider -v Tests/browser

$(VENV)/.installed: $(PYTHON_REQUIREMENTS)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(addprefix -r ,$(PYTHON_REQUIREMENTS))
	touch $@

## docs: regenerate what the ingress serves from its binary: Sources/Ingress/ContractDocuments.swift from docs/,
## Sources/Ingress/Dashboard/DashboardAssets.swift from dashboard/.
docs:
	python3 scripts/embed-docs.py

## bench-sentinel: orders over HTTP across Sentinel failovers (planned, kill -9), durable accept on and off:
## one table row per run (about four minutes; the README's "High availability" quotes it).
bench-sentinel: deps
	swift build $(SWIFT_BUILD_FLAGS) --build-tests
	SWITCHBOARD_SENTINEL_BENCH=1 swift test $(SWIFT_BUILD_FLAGS) --skip-build --filter SentinelFailoverBenchmark \
		| grep '^| '

## bench: release build, then scripts/bench.py (under 5 minutes); the table goes to bench/results.md.
bench: deps
	swift build -c release --product switchboard
	python3 scripts/bench.py "$$(swift build -c release --show-bin-path)/switchboard"

## bench-redis-replay: release build, then scripts/bench-redis-replay.py: a bus load's commands recorded and
## replayed into an idle redis-server, for Redis's own cost per order (about a minute).
bench-redis-replay: deps
	swift build -c release --product switchboard
	python3 scripts/bench-redis-replay.py "$$(swift build -c release --show-bin-path)/switchboard"

## bench-overload: release build, then scripts/bench-overload.py (about 3 minutes; SCALE=F scales the durations);
## the table goes to bench/overload.md.
bench-overload: deps
	swift build -c release --product switchboard
	python3 scripts/bench-overload.py "$$(swift build -c release --show-bin-path)/switchboard" --scale=$${SCALE:-1}

## bench-soak: release build, then scripts/soak.py: an hour of orders at a steady rate, fifteen times faster, with
## retention shortened to seconds; RSS, Redis memory and key count over time go to bench/soak.md (about 5 minutes).
bench-soak: deps
	swift build -c release --product switchboard
	python3 scripts/soak.py "$$(swift build -c release --show-bin-path)/switchboard"

## bench-cluster: release build, then scripts/bench-cluster.py: the bus and HTTP loads on one redis-server, a cluster
## of one primary and one of three, with each node's share of the commands (about 4 minutes; SCALE=F scales it).
bench-cluster: deps
	swift build -c release --product switchboard
	python3 scripts/bench-cluster.py "$$(swift build -c release --show-bin-path)/switchboard" --scale=$${SCALE:-1}

clean:
	swift package clean
	rm -rf .run $(VENV) .build-fuzz
