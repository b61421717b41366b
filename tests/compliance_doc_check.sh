#!/usr/bin/env bash
# Checks docs/COMPLIANCE.md (issue "Compliance", done when): every row of the duty map names a
# mechanism (or why the duty is outside the ledger's scope) and at least one test, and every
# test it names (`Suite.Test`) exists as TEST/TEST_F/TEST_P(Suite, Test) in the sources.
#
# Usage: tests/compliance_doc_check.sh ROOT [DOC]   (DOC defaults to ROOT/docs/COMPLIANCE.md)
#        tests/compliance_doc_check.sh ROOT --selfcheck   (a doc naming a missing test must fail)
set -euo pipefail
root=$1
doc=${2:-$root/docs/COMPLIANCE.md}
if [ "$doc" = --selfcheck ]; then
  tmp=$(mktemp)
  trap 'rm -f "$tmp"' EXIT
  printf '| duty | PIPL | GDPR | mechanism | demonstrated by |\n|---|---|---|---|---|\n' >"$tmp"
  printf '| **X** | 1 | 1 | something | `BackupTest.NoSuchTestAnywhere` |\n' >>"$tmp"
  if "$0" "$root" "$tmp" >/dev/null 2>&1; then
    echo "compliance_doc_check: the self-check passed a doc that names a missing test" >&2
    exit 1
  fi
  echo "compliance_doc_check: self-check ok (a missing test is caught)"
  exit 0
fi

sources=$(find "$root" -path "$root/build*" -prune -o -path "$root/web/node_modules" -prune -o \
  -name '*_test.cc' -print -o -path "$root/tests/*" -name '*.cc' -print)
fail=0
rows=0
tests=0
while IFS= read -r line; do
  # Duty rows: "| **duty** | PIPL | GDPR | mechanism | tests |".
  [[ "$line" == "| **"* ]] || continue
  rows=$((rows + 1))
  duty=$(cut -d'|' -f2 <<<"$line" | sed 's/^ *//; s/ *$//')
  mechanism=$(awk -F' \\| ' '{print $(NF-1)}' <<<"$line")
  cited=$(awk -F' \\| ' '{print $NF}' <<<"$line" | grep -oE '`[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9_]*`' | tr -d '`' || true)
  if [ ${#mechanism} -lt 20 ]; then
    echo "compliance_doc_check: $duty: no mechanism or reason" >&2
    fail=1
  fi
  if [ -z "$cited" ]; then
    echo "compliance_doc_check: $duty: no test named" >&2
    fail=1
  fi
  for t in $cited; do
    tests=$((tests + 1))
    suite=${t%%.*}
    name=${t#*.}
    if ! grep -qE "TEST(_F|_P)?\(\s*$suite,\s*$name\s*\)" $sources; then
      echo "compliance_doc_check: $duty: test $t does not exist" >&2
      fail=1
    fi
  done
done <"$doc"
if [ "$rows" -eq 0 ]; then
  echo "compliance_doc_check: no duty rows in $doc" >&2
  exit 1
fi
[ "$fail" -eq 0 ] || exit 1
echo "compliance_doc_check: $rows duties, $tests test citations, all present"
