#!/bin/sh
# ravpn-convert end to end: test_convert.sh RAVPN_CONVERT FIXTURES_DIR
# Exit codes (0 converted, 1 config errors, 2 usage), what goes to stdout and stderr, secrets in and out.
set -u
convert=$1
fixtures=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
check() { what=$1; shift; if "$@"; then pass; else fail "$what"; fi; }

# Converts, masks the secrets by default, reports on stderr.
"$convert" "$fixtures/ios-easyvpn.cfg" >"$work/out.toml" 2>"$work/err"
check "easyvpn exits 0" [ $? -eq 0 ]
check "native TOML on stdout" grep -q '^\[\[isakmp.policy\]\]' "$work/out.toml"
check "secrets masked" grep -q '^key = "\*\*\*\*\*\*\*\*"' "$work/out.toml"
check "no clear key without --with-secrets" sh -c "! grep -q cisco1234 '$work/out.toml'"
check "report summary on stderr" grep -q 'ios-easyvpn.cfg (IOS): 0 errors' "$work/err"
check "ignored lines grouped by command" grep -q '^  service (3 lines)' "$work/err"
check "no secret in the report" sh -c "! grep -q -e 'password ww' -e cisco1234 '$work/err'"

# --with-secrets writes them; the output reads back as native with no errors.
"$convert" --with-secrets "$fixtures/ios-easyvpn.cfg" >"$work/full.toml" 2>/dev/null
check "--with-secrets exits 0" [ $? -eq 0 ]
check "--with-secrets has the key" grep -q '"cisco1234"' "$work/full.toml"
"$convert" --dialect native --with-secrets "$work/full.toml" >"$work/again.toml" 2>"$work/err"
check "native input converts" [ $? -eq 0 ]
check "native input report" grep -q '(native): 0 errors' "$work/err"
grep -v '^#' "$work/full.toml" >"$work/full.body"
grep -v '^#' "$work/again.toml" >"$work/again.body"
check "native round trip gives the same text" cmp -s "$work/full.body" "$work/again.body"

# --secrets-out writes the native secrets file (mode 0600); masked config + that file = the same model.
"$convert" --secrets-out "$work/out.secrets" "$fixtures/ios-easyvpn.cfg" >"$work/masked.toml" 2>/dev/null
check "--secrets-out exits 0" [ $? -eq 0 ]
check "secrets file has the group key" grep -q '"grouppass123"' "$work/out.secrets"
check "secrets file is 0600" [ "$(stat -c %a "$work/out.secrets")" = 600 ]
"$convert" --dialect native --secrets "$work/out.secrets" --report "$work/masked.toml" >"$work/stdout" 2>"$work/err"
check "masked + secrets loads" [ $? -eq 0 ]
check "--report prints nothing on stdout" [ ! -s "$work/stdout" ]
"$convert" --dialect native --report "$work/masked.toml" >/dev/null 2>"$work/err"
check "masked without secrets exits 1" [ $? -eq 1 ]
check "masked error names file:line" grep -q 'masked.toml:[0-9]*: pre-shared key for 0.0.0.0/0 is masked' "$work/err"

# A Cisco config with masked secrets and its secrets file.
"$convert" --secrets "$fixtures/ios-masked.secrets" --with-secrets "$fixtures/ios-masked.cfg" >"$work/m.toml" 2>/dev/null
check "ios-masked + secrets exits 0" [ $? -eq 0 ]
check "the secrets file's key is in the output" grep -q '"radius secret 99"' "$work/m.toml"

# Config errors: exit 1, nothing on stdout, errors with file:line on stderr.
"$convert" "$fixtures/err-bad-address.cfg" >"$work/stdout" 2>"$work/err"
check "errors exit 1" [ $? -eq 1 ]
check "errors print nothing on stdout" [ ! -s "$work/stdout" ]
check "errors listed with file:line" grep -q 'err-bad-address.cfg:[0-9][0-9]*: ' "$work/err"
"$convert" "$work/does-not-exist.cfg" >"$work/stdout" 2>"$work/err"
check "missing file exits 1" [ $? -eq 1 ]

# Usage: exit 2.
for args in "" "--dialect cisco x.cfg" "--secrets" "--bogus x.cfg" "a.cfg b.cfg"; do
  # shellcheck disable=SC2086
  "$convert" $args >/dev/null 2>"$work/err"
  check "usage exits 2 for '$args'" [ $? -eq 2 ]
done
check "usage text" grep -q '^usage: ravpn-convert' "$work/err"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
