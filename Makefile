# Slate's two commands are `make run` and `make test`; the rest are their parts.
# Everything they need is installed by scripts/install-deps.sh (Debian 12).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
ARGS ?=

.PHONY: run test deps deps-test ui build bindings screenshots clean bench bench-build bench-e2e package licenses audit

## run: install what is missing, build, and start the session service and the kiosk's screen
## (under Xvfb when there is no display); scripts/run.sh starts both, on this account's data
run: deps ui
	cargo build -p slate -p slated
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  scripts/run.sh $(ARGS); \
	else \
	  echo "No display: running Slate under Xvfb."; \
	  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- scripts/run.sh $(ARGS); \
	fi

## test: install what is missing, build (debug, and the release packages), run every test
# The binaries and every test target in one build, with the features `cargo test --workspace`
# uses (the core's test-util among them), so the test run reuses it instead of building the
# app again; the end-to-end tests need the binaries first.
test: deps-test ui package
	cargo build --workspace --bins --tests
	scripts/test.sh

## package: the .deb and .rpm (Tauri's bundler; its CLI pinned in packaging/tauri-cli), from a
## release build; they land in target/release/bundle/{deb,rpm}/
# One cargo run builds the app, slatectl and slated: the Tauri CLI's own (`-- -p slate -p slatectl -p slated` is
# handed to its `cargo build`). Their shared dependencies (serde, tokio, syn…) then resolve to
# one feature set and compile once, and the app is not compiled twice (a separate `cargo build`
# of the app is rebuilt by the CLI, whose environment its build script watches).
# The man pages and slatectl's shell completions are written first by slate-docgen from the clap
# types (into target/packaging/{man,completions}); man pages ship gzipped with -9n, as Debian wants.
package: deps-test ui packaging/tauri-cli/node_modules/.package-lock.json
	mkdir -p target/packaging
	gzip -9 -n -c packaging/changelog > target/packaging/changelog.gz
	rm -rf target/packaging/man target/packaging/completions
	cargo run --release -q -p slate-docgen -- target/packaging
	gzip -9 -n target/packaging/man/*.1
	cd src-tauri && ../packaging/tauri-cli/node_modules/.bin/tauri build --ci --bundles deb rpm -- -p slate -p slatectl -p slated

# `npm install`, not `npm ci`: the registry this is built from may lack the CLI's binaries for
# other platforms, which the lockfile then omits and `npm ci` would refuse; versions stay pinned.
packaging/tauri-cli/node_modules/.package-lock.json: packaging/tauri-cli/package.json packaging/tauri-cli/package-lock.json
	cd packaging/tauri-cli && npm install --no-audit --no-fund --silent

deps:
	scripts/install-deps.sh run

deps-test:
	scripts/install-deps.sh test

ui: ui/node_modules/.package-lock.json
	cd ui && npm run build --silent

ui/node_modules/.package-lock.json: ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund --silent

## licenses: regenerate packaging/third-party-licenses.txt, the copyright notices and licence texts
## of every crate compiled into slate and slatectl, which the packages ship in /usr/share/doc/slate.
## Uses cargo-about (pinned; built into .tools/ the first time, about 4 CPU-minutes; a run takes
## about 5 more). Run it after Cargo.lock changes and commit the file: `make test` fails while the
## programs have a crate the file does not name (or the file names one they lost), so CI needs no
## cargo-about.
licenses:
	scripts/install-deps.sh licenses
	node scripts/third-party-licenses.mjs

## audit: known vulnerabilities in the locked crates (the RustSec advisory database, through
## cargo-deny and deny.toml) and in the npm packages (`npm audit`, ui/ and packaging/tauri-cli).
## Needs the network, GitHub included: the RustSec database is a git repository there, fetched at
## each run. Not part of `make test`, whose machines may not reach GitHub; run it where they can
## (before a release, and on a schedule: a new advisory can appear with no change here).
audit: deps-test
	scripts/audit.sh

## bindings: regenerate ui/src/bindings.ts from the Rust IPC types
bindings:
	SLATE_BLESS=1 cargo test -p slate-core --lib bindings

## screenshots: refresh docs/ screenshots from the end-to-end tests
screenshots: deps-test ui
	cargo build -p slate -p slatectl
	SLATE_UPDATE_DOCS=1 xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
	  cargo test -p slate-e2e --test first_run --test admin

clean:
	cargo clean
	rm -rf ui/dist ui/.test-build

## bench: every bench and long loop, then their figures into BENCHMARKS.md (about 75 minutes; the
## 10M-record audit database is built once, about 4 GB in target/bench-data). One at a time: the
## figures are medians and ratios of one run, and the machine is shared.
bench: deps-test ui package bench-build
	cargo bench -p slate-core --bench signin
	cargo bench -p slate-core --bench sources
	cargo bench -p slate-core --bench wipe
	cargo bench -p slate-core --bench audit
	cargo bench -p slate-core --bench audit_page
	cargo bench -p slate-core --bench room
	$(E2E) cargo test -p slate-e2e --test timing -- --ignored --nocapture --test-threads=1
	SLATE_CRASH_KILLS=200 cargo test -p slate-core --test audit_crash -- --nocapture
	SLATE_SOAK_SESSIONS=10000 cargo test -p slate-core --test soak -- --nocapture
	SLATE_FUZZ_SECS=20 cargo test -p slate-core --test fuzz -- --nocapture --test-threads=1
	SLATE_APP_KILLS=200 $(E2E) cargo test -p slate-e2e --test crash_loop -- --nocapture
	SLATE_APP_SESSIONS=1000 $(E2E) cargo test -p slate-e2e --test app_soak -- --nocapture
	cargo run -q -p slate-e2e --bin bench-report

E2E := xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session --

# The debug build (for the idle timings, which need the debug-only short bounds) and the bare
# Tauri window the memory and CPU figures compare with, built by the same Tauri CLI as Slate.
bench-build: ui packaging/tauri-cli/node_modules/.package-lock.json
	cargo build -p slate -p slatectl
	cd tests/bare-window && ../../packaging/tauri-cli/node_modules/.bin/tauri build --ci --no-bundle

## bench-e2e: only the end-to-end timing harness (idle lateness, sign-out, cold start, at rest)
bench-e2e: deps-test ui package bench-build
	$(E2E) cargo test -p slate-e2e --test timing -- --ignored --nocapture --test-threads=1
	cargo run -q -p slate-e2e --bin bench-report
