#!/usr/bin/env bash
# Regenerates the captured tool outputs (*.out and report files) that the gate
# parser tests read. The tests never run these tools: they parse what this
# script captured, so the corpus is real tool output, committed.
#
# The inputs are copied to a fixed root ($ROOT, /tmp/gauntlet-corpus) and the
# tools run there, so absolute paths in the outputs are stable and the tests can
# check that repo_root makes them relative.
#
# Needs: gcc, g++, clang, cargo with clippy (no crates downloaded), go, cmake, ctest
# and googletest, python3 with pytest, mypy and coverage (Debian: python3-pytest
# python3-mypy python3-coverage), black and flake8 (Debian), lcov, gcovr, and from
# npm: typescript, eslint@8, @microsoft/eslint-formatter-sarif, c8, jest, jest-junit,
# vitest (installed in $NPM_DIR: `npm install typescript eslint@8
# @microsoft/eslint-formatter-sarif c8 jest@29 jest-junit vitest`).
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT=/tmp/gauntlet-corpus
NPM_DIR="${NPM_DIR:-/tmp/gate-npm}"
NPX="$NPM_DIR/node_modules/.bin"
CARGO="${CARGO:-$(command -v cargo || echo /root/.cargo/bin/cargo)}"
PY=/usr/bin/python3

rm -rf "$ROOT"
mkdir -p "$ROOT"
cp -r "$HERE"/. "$ROOT"/
find "$ROOT" -name '*.out' -delete

# Runs a command in a directory, writing stdout+stderr to the named output file
# in the source tree (the exit status is expected to be non-zero: broken inputs).
capture() {
  local dir="$1" out="$2"
  shift 2
  (cd "$ROOT/$dir" && "$@") >"$HERE/$dir/$out" 2>&1
  echo "capture: $dir/$out (exit $?)" >&2
}

# C: an error inside an included header, an undeclared identifier, a warning.
capture gcc gcc.out gcc -Wall -c main.c -o /dev/null
capture gcc clang.out clang -Wall -c main.c -o /dev/null
capture gcc gcc-abs.out gcc -Wall -c "$ROOT/gcc/main.c" -o /dev/null
capture gcc link.out gcc link.c -o /dev/null
# C++: candidate notes in a system header after "In file included from" (they belong to
# the error), and a template error reported inside the standard library.
capture gcc gxx.out g++ -Wall -c shapes.cc -o /dev/null
capture gcc gxx-template.out g++ -Wall -c sort.cc -o /dev/null

# TypeScript (tsc prints the plain form when not on a terminal).
capture tsc tsc.out "$NPX/tsc" -p .
capture tsc tsc-pretty.out "$NPX/tsc" -p . --pretty true

# ESLint 8 with the three formatters, and SARIF through Microsoft's formatter.
capture eslint stylish.out "$NPX/eslint" app.js
capture eslint unix.out "$NPX/eslint" -f unix app.js
capture eslint json.out "$NPX/eslint" -f json app.js
(cd "$ROOT/eslint" && "$NPX/eslint" -f "$NPM_DIR/node_modules/@microsoft/eslint-formatter-sarif/sarif.js" app.js) >"$HERE/sarif/eslint.sarif" 2>&1

# Rust: a type error and an unused variable; clippy lints in a crate that builds.
export CARGO_TERM_COLOR=never
capture cargo/broken cargo.out "$CARGO" build --offline -q
rm -rf "$ROOT/cargo/broken/target"
capture cargo/broken cargo-json.out "$CARGO" build --offline -q --message-format=json
capture cargo/lint clippy.out "$CARGO" clippy --offline -q
rm -rf "$ROOT/cargo/lint/target"
capture cargo/lint clippy-json.out "$CARGO" clippy --offline -q --message-format=json
# clippy in its usual CI form: warnings denied, human output.
rm -rf "$ROOT/cargo/lint/target"
capture cargo/lint clippy-deny.out "$CARGO" clippy --offline -q -- -D warnings
# cargo test: failing unit tests (an assert_eq! and a plain panic), then every target.
capture cargo/test test.out env -u RUST_BACKTRACE "$CARGO" test --offline
capture cargo/test test-all.out env -u RUST_BACKTRACE "$CARGO" test --offline -q --no-fail-fast
# A failing doc-test, a #[should_panic] test that returned, a test that returned Err.
capture cargo/doctest test.out env -u RUST_BACKTRACE "$CARGO" test --offline --no-fail-fast

# Go: build errors, vet, and a failing test (plain and -v).
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOCACHE="$ROOT/.gocache" GOPATH="$ROOT/.gopath"
capture go/nobuild build.out go build ./...
capture go/vet vet.out go vet ./...
capture go/broken test.out go test ./...
capture go/broken test-v.out go test -v ./...

# Python: mypy, pytest (default traceback and --tb=short) with a JUnit report.
capture python mypy.out "$PY" -m mypy --no-color-output --show-column-numbers --show-error-codes shapes.py
capture python pytest.out "$PY" -m pytest -p no:cacheprovider --junitxml=pytest-junit.xml test_shapes.py
capture python pytest-short.out "$PY" -m pytest -p no:cacheprovider --tb=short test_shapes.py
cp "$ROOT/python/pytest-junit.xml" "$HERE/python/pytest-junit.xml"

# jest and vitest failures as printed (no reporter).
capture jest jest.out "$NPX/jest" --ci
ln -s "$NPM_DIR/node_modules" "$ROOT/vitest/node_modules"
capture vitest vitest.out env CI=true NO_COLOR=1 "$NPX/vitest" run

# ctest: a googletest failure and an assert() abort, with and without their output.
(cd "$ROOT/ctest" && cmake -S . -B build -G Ninja && cmake --build build) >&2
capture ctest ctest.out sh -c 'cd build && ctest --output-on-failure'
capture ctest ctest-plain.out sh -c 'cd build && ctest'

# Python formatters and linters, which a `language: python` job runs as often as pytest.
capture python/fmt black.out black --check .
capture python/fmt flake8.out flake8 .

# JUnit from jest with the jest-junit reporter.
(cd "$ROOT/junit/jest" && JEST_JUNIT_OUTPUT_DIR=. JEST_JUNIT_OUTPUT_NAME=jest-junit.xml \
  "$NPX/jest" --ci --reporters=default --reporters="$NPM_DIR/node_modules/jest-junit") >&2
cp "$ROOT/junit/jest/jest-junit.xml" "$HERE/junit/jest-junit.xml"

# Coverage: lcov and Cobertura (gcovr) from gcc --coverage, Cobertura and lcov
# from coverage.py, and istanbul's coverage-summary.json from c8.
(cd "$ROOT/coverage/c" && gcc --coverage -O0 main.c lib.c -o prog && ./prog &&
  lcov -q --rc lcov_branch_coverage=1 -c -d . -o lcov.info 2>/dev/null &&
  gcovr -r . --xml -o cobertura.xml) >&2
cp "$ROOT/coverage/c/lcov.info" "$ROOT/coverage/c/cobertura.xml" "$HERE/coverage/c/"
(cd "$ROOT/coverage/py" && "$PY" -m coverage run --branch --source=. main.py &&
  "$PY" -m coverage xml -o coverage.xml && "$PY" -m coverage lcov -o lcov.info) >&2
cp "$ROOT/coverage/py/coverage.xml" "$ROOT/coverage/py/lcov.info" "$HERE/coverage/py/"
(cd "$ROOT/coverage/js" &&
  "$NPX/c8" --reporter=json-summary --reporter=lcovonly --report-dir=. node main.js) >&2
cp "$ROOT/coverage/js/coverage-summary.json" "$ROOT/coverage/js/lcov.info" "$HERE/coverage/js/"
