#!/usr/bin/env bash
# Checks greet's output for one locale: tests/test_greet.sh LOCALE
set -euo pipefail
locale=$1
case $locale in en) want="Hello, gauntlet!" ;; fr) want="Bonjour, gauntlet!" ;; de) want="Hallo, gauntlet!" ;; esac
got=$(out/greet "$locale" gauntlet)
if [ "$got" != "$want" ]; then
  echo "tests/test_greet.sh:8: expected '$want', got '$got'" >&2
  exit 1
fi
echo "ok $locale: $got"
