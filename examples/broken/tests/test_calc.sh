#!/usr/bin/env bash
# A tiny test suite that writes a JUnit report: tests/test_calc.sh REPORT.xml
# One of its checks is wrong on purpose (the report names its file and line).
set -uo pipefail
report=$1
mkdir -p "$(dirname "$report")"
cases="" failures=0 tests=0
check() {  # check NAME LINE EXPECTED ACTUAL
  tests=$((tests + 1))
  if [ "$3" = "$4" ]; then
    cases+="<testcase classname=\"calc\" name=\"$1\" file=\"tests/test_calc.sh\" line=\"$2\"/>"
    echo "ok   $1"
  else
    failures=$((failures + 1))
    cases+="<testcase classname=\"calc\" name=\"$1\" file=\"tests/test_calc.sh\" line=\"$2\">"
    cases+="<failure message=\"expected $3, got $4\"/></testcase>"
    echo "FAIL $1: expected $3, got $4 (tests/test_calc.sh:$2)"
  fi
}
check adds $LINENO 4 $((2 + 2))
check multiplies $LINENO 6 $((2 * 3))
check halves $LINENO 3.5 $((7 / 2))  # shell arithmetic is integer: this one fails
printf '<testsuite name="calc" tests="%d" failures="%d">%s</testsuite>\n' \
  "$tests" "$failures" "$cases" >"$report"
[ "$failures" -eq 0 ]
