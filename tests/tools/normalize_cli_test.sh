#!/usr/bin/env bash
# rcc-normalize-test as a user runs it: exact stdout lines, stderr messages and exit codes.
set -u
tool=$1
rules=$RCC_SOURCE_DIR/examples/normalization/Company_Phone_Number_Normalization_Rules.txt
data=$RCC_TEST_DATA/rules
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect NAME WANT_RC WANT_STDOUT -- command...
expect() {
  local name=$1 want_rc=$2 want_out=$3
  shift 4
  local out rc
  out=$("$@" 2>"$tmp/err")
  rc=$?
  if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
    echo "FAIL $name: rc=$rc (want $want_rc)"
    echo "  stdout: $(printf '%q' "$out")"
    echo "  want:   $(printf '%q' "$want_out")"
    echo "  stderr: $(cat "$tmp/err")"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}
# expect_err NAME PATTERN: the last command's stderr matches the extended regex PATTERN
expect_err() {
  if ! grep -Eq -- "$2" "$tmp/err"; then
    echo "FAIL $1: stderr does not match /$2/: $(cat "$tmp/err")"
    failures=$((failures + 1))
  fi
}

expect sample-number 0 'tel:33187;phone-context=dialstring' -- "$tool" -r "$rules" +61388043187
expect sample-extension 0 'tel:123;phone-context=dialstring' -- "$tool" -r "$rules" 123
expect sample-self-test 0 "PASS $rules:7: +61388043187 -> tel:33187;phone-context=dialstring [rule at line 5]
PASS $rules:11: +61292929761 -> tel:29761;phone-context=dialstring [rule at line 9]
2 of 2 passed" -- "$tool" -r "$rules" --self-test
expect sample-check-clean 0 "$rules: 4 rules, 0 error(s), 0 warning(s)" -- "$tool" -r "$rules" --check

expect not-normalized 1 'tel:123;phone-context=dialstring

tel:33187;phone-context=dialstring' -- "$tool" -r "$rules" 123 12345 +61388043187
expect_err not-normalized-stderr "^rcc-normalize-test: '12345': no rule matched$"

expect env-default 0 'tel:123;phone-context=dialstring' -- env RCC_NORMALIZATION_RULES="$rules" "$tool" 123
(cd "$(dirname "$rules")" && expect cwd-default 0 'tel:123;phone-context=dialstring' -- "$tool" 123)
expect missing-rules 2 '' -- "$tool" -r "$tmp/none.txt" 123
expect_err missing-rules-stderr "none.txt: No such file or directory"

expect broken-rules-refused 2 '' -- "$tool" -r "$data/broken.txt" 123
expect_err broken-rules-location "broken.txt:2:9: missing closing parenthesis"
expect broken-check 1 "$data/broken.txt:2:9: error: missing closing parenthesis [invalid-pattern]
    ^(\\d{3}\$
            ^
$data/broken.txt: 1 rules, 1 error(s), 0 warning(s)" -- "$tool" -r "$data/broken.txt" --check

expect lint-findings 1 "$data/lint_and_tests.txt:3:1: warning: never applies: every number it matches is matched first by the rule at line 1 [shadowed-rule]
    ^5(\\d{3})\$
    ^
$data/lint_and_tests.txt:6:3: error: translation uses \$2, but the pattern has no such group (it is kept as literal text) [unknown-group]
    +1\$2
      ^
$data/lint_and_tests.txt: 3 rules, 1 error(s), 1 warning(s)" -- "$tool" -r "$data/lint_and_tests.txt" --check
expect self-test-failure 1 "PASS $data/lint_and_tests.txt:7: 1234 -> tel:+14255551234 [rule at line 1]
FAIL $data/lint_and_tests.txt:8: 5123 -> tel:+14255555123 (expected tel:123) [rule at line 1]
PASS $data/lint_and_tests.txt:9: 77 -> NOMATCH
2 of 3 passed" -- "$tool" -r "$data/lint_and_tests.txt" --self-test

# Standard input: streamed, tab-separated, CRLF tolerated, unmatched lines kept in place.
printf '123\r\n999999\n+61388043187' > "$tmp/in.txt"
expect batch 1 "$(printf '123\ttel:123;phone-context=dialstring\t12\n999999\t\t\n+61388043187\ttel:33187;phone-context=dialstring\t5')" \
  -- sh -c "\"$tool\" -r \"$rules\" < \"$tmp/in.txt\""
expect_err batch-summary "^rcc-normalize-test: 1 of 3 numbers not normalized$"
expect batch-dash 0 "$(printf '123\ttel:123;phone-context=dialstring\t12')" -- sh -c "echo 123 | \"$tool\" -r \"$rules\" -"

# JSON is valid and says the same.
expect json 0 'tel:33187;phone-context=dialstring 5' -- sh -c "\"$tool\" -r \"$rules\" --json +61388043187 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[\"result\"], d[\"rule_line\"])'"
expect json-check 0 '1 invalid-pattern 2 9' -- sh -c "\"$tool\" -r \"$data/broken.txt\" --check --json | python3 -c 'import json,sys; d=json.load(sys.stdin); f=d[\"findings\"][0]; print(d[\"errors\"], f[\"check\"], f[\"line\"], f[\"column\"])'"
expect json-self-test 0 '2 0' -- sh -c "\"$tool\" -r \"$rules\" --self-test --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[\"passed\"], d[\"failed\"])'"
expect json-explain 0 'False True 3187' -- sh -c "\"$tool\" -r \"$rules\" --explain --json +61388043187 | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d[\"rules\"]; print(r[0][\"matched\"], r[1][\"matched\"], r[1][\"groups\"][3][\"text\"])'"

# --explain names the rule, the groups and the result.
expect explain 0 "number: 123
  line 2: [\\s()\\-\\./\\+]*(61)?[\\s()\\-\\./]*0?(2)\\)?[\\s()\\-\\./]*(6263)[\\s()\\-\\./]*(7\\d\\d\\d)
    no match
  line 5: [\\s()\\-\\./\\+]*(61)?[\\s()\\-\\./]*0?(3)\\)?[\\s()\\-\\./]*(8804)[\\s()\\-\\./]*(3\\d\\d\\d)
    no match
  line 9: [\\s()\\-\\./\\+]*(61)?[\\s()\\-\\./]*0?(2)\\)?[\\s()\\-\\./]*(9292)[\\s()\\-\\./]*(9\\d\\d\\d)
    no match
  line 12: ^(\\d{3})\$
    matched '123' at 0..3
    \$1 = '123'
    translation (line 13): \$1;phone-context=dialstring
result: tel:123;phone-context=dialstring" -- "$tool" -r "$rules" --explain 123

# Pre-processing and semantics options, from the command line and from the config file.
printf '^\\+1(\\d{10})$\n+1$1\n([2-9]\\d{9})\n+1$1\n' > "$tmp/lync.txt"
expect preprocess-none 1 '' -- "$tool" -r "$tmp/lync.txt" '+1 (425) 555-1212'
expect preprocess-lync 0 'tel:+14255551212' -- "$tool" -r "$tmp/lync.txt" --preprocess lync '+1 (425) 555-1212'
expect semantics-replace 0 'tel:1+16045551111' -- "$tool" -r "$tmp/lync.txt" --semantics replace 16045551111
printf '[normalize]\nrules = "%s"\npreprocess = "lync"\n' "$tmp/lync.txt" > "$tmp/rcc.toml"
expect config-file 0 'tel:+14255551212' -- "$tool" -c "$tmp/rcc.toml" '+1 (425) 555-1212'
expect config-env 0 'tel:+14255551212' -- env RCC_CONFIG="$tmp/rcc.toml" "$tool" '+1 (425) 555-1212'
expect config-overridden 1 '' -- "$tool" -c "$tmp/rcc.toml" --preprocess none '+1 (425) 555-1212'
expect example-config 0 '2 of 2 passed' -- sh -c "\"$tool\" -c \"$RCC_SOURCE_DIR/examples/rcc.toml\" -r \"$rules\" --self-test | tail -n 1"
printf '[normalize]\npreprocess = "sometimes"\n' > "$tmp/bad.toml"
expect config-bad-value 2 '' -- "$tool" -c "$tmp/bad.toml" 123
expect_err config-bad-value-location "bad.toml:2:14: \[normalize\] preprocess: 'sometimes' is not one of: none, lync"
printf '[normalize]\nrules = \n' > "$tmp/broken.toml"
expect config-syntax 2 '' -- "$tool" -c "$tmp/broken.toml" 123
expect_err config-syntax-location "broken.toml:2:"

# Usage errors exit 2; --help and --version exit 0.
expect usage-unknown-option 2 '' -- "$tool" --frobnicate
expect usage-bad-choice 2 '' -- "$tool" --preprocess sometimes 1
expect usage-exclusive 2 '' -- "$tool" --check --self-test
expect version 0 "rcc-normalize-test $(sed -n 's/^project(rcc-tools VERSION \([0-9.]*\).*/\1/p' "$RCC_SOURCE_DIR/CMakeLists.txt")" -- "$tool" --version

# Hostile input: invalid UTF-8 and an over-long line are reported, nothing crashes.
printf '12\xff3\n' > "$tmp/bad-utf8.txt"
expect invalid-utf8 1 "$(printf '12\xff3\t\t')" -- sh -c "\"$tool\" -r \"$rules\" < \"$tmp/bad-utf8.txt\""
head -c 100000 /dev/zero | tr '\0' '1' > "$tmp/long.txt"; printf '\n123\n' >> "$tmp/long.txt"
expect overlong-line 1 "$(printf '\t\t\n123\ttel:123;phone-context=dialstring\t12')" -- sh -c "\"$tool\" -r \"$rules\" < \"$tmp/long.txt\""
expect_err overlong-line-stderr "stdin:1: line longer than 65536 bytes"

echo "$failures failed"
[ "$failures" = 0 ]
