#!/usr/bin/env bash
# rcc-csr end to end, cross-checked with the real openssl command:
#   - every request rcc-csr makes passes `openssl req -verify`, with both EKU OIDs and the SAN;
#   - certificates from `rcc-csr ca sign` pass `openssl verify -CAfile` and show EKUs and SANs
#     in `openssl x509 -text`;
#   - certificates and .p7b chains made by openssl, one broken per FAIL case (wrong CN, missing
#     clientAuth, v1, expired, mismatched key, untrusted root), are judged right by check;
#   - check --connect against openssl s_server serving a good and a bad chain;
#   - hostile input gives one error line on stderr, nothing on stdout, and exit 2.
# Usage: rcc_csr_e2e.sh PATH/TO/rcc-csr
set -uo pipefail
CSR=$(realpath "$1")
command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rcc-csr-e2e.XXXXXX")
SERVERS=()
cleanup() {
  local pid
  for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT
KEEP=${RCC_E2E_KEEP:-}
cd "$WORK" || exit 1
umask 022

failures=0
checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAILED: $*" >&2; }

# run EXPECTED_EXIT CMD...: runs CMD with stdout in $out and stderr in $err.
run() {
  local want=$1; shift
  "$@" >out.txt 2>err.txt
  local got=$?
  out=$(cat out.txt); err=$(cat err.txt)
  if [ "$got" -ne "$want" ]; then
    bad "exit $got, expected $want: $*"
    echo "--- stdout:" >&2; cat out.txt >&2; echo "--- stderr:" >&2; cat err.txt >&2
    return 1
  fi
  ok
}
has() {  # has TEXT PATTERN DESCRIPTION
  if grep -Eq -- "$2" <<<"$1"; then ok; else bad "$3: no match for /$2/ in:"; echo "$1" >&2; fi
}
hasnt() {
  if grep -Eq -- "$2" <<<"$1"; then bad "$3: unexpected /$2/ in:"; echo "$1" >&2; else ok; fi
}
fail_lines() { grep -E '^FAIL ' <<<"$out" | sed -E 's/^FAIL ([a-z0-9-]+):.*/\1/' | tr '\n' ' '; }

# --- 1. rcc-csr new, checked by openssl req -verify -------------------------------------------
run 0 "$CSR" new --cn cup.example.com   # the default key: RSA 2048
[ "$(stat -c %a cup.key)" = 600 ] && ok || bad "cup.key is not mode 0600"
run 0 openssl req -in cup.csr -noout -verify -text
all="$out$err"
has "$all" "verify OK" "openssl req -verify"
has "$all" "TLS Web Server Authentication, TLS Web Client Authentication" "both EKUs in the CSR"
has "$all" "DNS:cup.example.com" "the CN in the SAN"
has "$all" "Public-Key: \(2048 bit\)" "RSA 2048 key"
run 2 "$CSR" new --cn cup.example.com      # refuses to overwrite the key
has "$err" "exists" "refusal names the existing file"
for t in ec:p256 ec:p384; do
  run 0 "$CSR" new --cn "gw-${t#ec:}.example.com" --san alt.example.com --san 192.0.2.7 \
    --key-type "$t" --org "Example Corp" --country us -o "$t.csr" --key-out "$t.key"
  run 0 openssl req -in "$t.csr" -noout -verify -text
  all="$out$err"
  has "$all" "verify OK" "openssl req -verify ($t)"
  has "$all" "DNS:gw-${t#ec:}.example.com, DNS:alt.example.com, IP Address:192.0.2.7" "SANs ($t)"
  has "$all" "C = US, O = Example Corp, CN = gw-${t#ec:}.example.com" "subject ($t)"
  has "$all" "TLS Web Server Authentication, TLS Web Client Authentication" "EKUs ($t)"
done
run 0 "$CSR" new --cn der.example.com --key ec:p256.key --der -o der.csr
run 0 openssl req -inform DER -in der.csr -noout -verify
has "$out$err" "verify OK" "openssl req -verify on a DER request made with --key"

# --- 2. the offline flow: ca init, new, ca sign, check --------------------------------------------
run 0 "$CSR" ca init --dir labca --cn "rcc e2e lab CA"
[ "$(stat -c %a labca/ca.key)" = 600 ] && ok || bad "labca/ca.key is not mode 0600"
run 0 "$CSR" new --cn gw.example.com --key-type ec:p256
run 0 "$CSR" ca sign gw.csr --dir labca
has "$out" "kept from the request: subjectAltName, extendedKeyUsage, keyUsage" "ca sign keeps"
run 0 openssl verify -CAfile labca/ca.crt gw.crt
has "$out" "gw.crt: OK" "openssl verify -CAfile"
run 0 openssl x509 -in gw.crt -noout -text
has "$out" "TLS Web Server Authentication, TLS Web Client Authentication" "EKUs in x509 -text"
has "$out" "DNS:gw.example.com" "SAN in x509 -text"
has "$out" "Version: 3" "v3"
serial1=$(cat labca/serial)
run 0 "$CSR" ca sign gw.csr --dir labca -o gw2.crt
[ "$(cat labca/serial)" != "$serial1" ] && ok || bad "serial file not advanced"
run 0 "$CSR" check --cert gw.crt --key gw.key --trust labca/ca.crt --fqdn gw.example.com
has "$out" "^result: PASS \(9 passed, 0 warned, 0 failed\)" "offline flow passes"
run 0 "$CSR" check --json --cert gw.crt --key gw.key --trust labca/ca.crt --fqdn gw.example.com
has "$out" '"result": "PASS"' "check --json"
run 0 "$CSR" show --json gw.crt gw.csr gw.key
has "$out" '"oid": "1.3.6.1.5.5.7.3.2"' "show --json lists clientAuth"

# --- 3. certificates and chains made by openssl -----------------------------------------------
cat >root.cnf <<'CNF'
[req]
distinguished_name = dn
x509_extensions = v3_ca
prompt = no
[dn]
CN = openssl e2e root
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CNF
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >ca.ext
leaf_ext() {  # leaf_ext NAME EKU SAN
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' "$2" "$3" >"$1.ext"
}
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
q() { "$@" >/dev/null 2>&1 || bad "openssl step failed: $*"; }
q openssl req -x509 "${ec[@]}" -keyout root.key -out root.crt -days 365 -config root.cnf
sed 's/openssl e2e root/openssl e2e other root/' root.cnf >root2.cnf
q openssl req -x509 "${ec[@]}" -keyout root2.key -out root2.crt -days 365 -config root2.cnf
q openssl req -new "${ec[@]}" -keyout inter.key -out inter.csr -subj "/CN=openssl e2e intermediate"
q openssl x509 -req -in inter.csr -CA root.crt -CAkey root.key -CAcreateserial -days 365 \
  -extfile ca.ext -out inter.crt
# sign NAME CN EKU [ISSUER] [extra x509 args...]: a leaf for CN, signed by ISSUER (default inter).
sign() {
  local name=$1 cn=$2 eku=$3 issuer=${4:-inter}
  shift 4 2>/dev/null || shift $#
  q openssl req -new "${ec[@]}" -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn"
  leaf_ext "$name" "$eku" "DNS:$cn"
  q openssl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" -CAcreateserial \
    -days 365 -extfile "$name.ext" -out "$name.crt" "$@"
}
sign good gw.example.com serverAuth,clientAuth
q openssl crl2pkcs7 -nocrl -certfile inter.crt -outform DER -out inter.p7b
q openssl crl2pkcs7 -nocrl -certfile root.crt -certfile inter.crt -certfile good.crt -out all.p7b
cat good.crt inter.crt >good-bundle.pem
openssl x509 -in inter.crt -outform DER | base64 -w 64 >inter.b64  # a Windows CA's "base 64"

trust=(--trust root.crt --fqdn gw.example.com)
run 0 "$CSR" check --cert good.crt --key good.key --chain inter.p7b "${trust[@]}"
has "$out" "^PASS chain: chain 'gw.example.com' <- 'openssl e2e intermediate' <- 'openssl e2e root'" "3-certificate chain"
run 0 "$CSR" check --cert all.p7b "${trust[@]}"        # leaf found inside a root-first .p7b
run 0 "$CSR" check --cert good-bundle.pem "${trust[@]}"  # leaf + intermediate in one PEM
run 0 "$CSR" check --cert good.crt --chain inter.b64 "${trust[@]}"
run 1 "$CSR" check --cert good.crt "${trust[@]}"         # intermediate missing
[ "$(fail_lines)" = "chain " ] && ok || bad "missing intermediate: FAILs were: $(fail_lines)"
has "$out" "fix: add the CA's intermediate certificates with --chain" "missing intermediate fix"

# Each broken certificate: exit 1, exactly the expected FAIL lines, and a fix that names it.
sign wrongcn other.example.com serverAuth,clientAuth
run 1 "$CSR" check --cert wrongcn.crt --chain inter.p7b "${trust[@]}"
[ "$(fail_lines)" = "fqdn-cn fqdn-san " ] && ok || bad "wrong CN: FAILs were: $(fail_lines)"
has "$out" "^FAIL fqdn-cn: .*fix: request a new certificate: rcc-csr new --cn gw.example.com" "wrong CN fix"

sign noclient gw.example.com serverAuth
run 1 "$CSR" check --cert noclient.crt --chain inter.p7b "${trust[@]}"
[ "$(fail_lines)" = "eku " ] && ok || bad "missing clientAuth: FAILs were: $(fail_lines)"
has "$out" "^FAIL eku: extendedKeyUsage lacks clientAuth \(1.3.6.1.5.5.7.3.2\).*fix: .*Client Authentication" "missing clientAuth fix"

q openssl req -new "${ec[@]}" -keyout v1.key -out v1.csr -subj "/CN=gw.example.com"
q openssl x509 -req -in v1.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 365 -out v1.crt
run 1 "$CSR" check --cert v1.crt --chain inter.p7b "${trust[@]}"
has "$(fail_lines)" "^x509-v3 eku $" "v1 certificate FAILs"
has "$out" "^FAIL x509-v3: an X.509 v1 certificate.*fix: re-issue it as v3" "v1 fix"
has "$out" "^WARN fqdn-san: no subjectAltName" "v1 has no SAN"

sign expired gw.example.com serverAuth,clientAuth inter -days -1
run 1 "$CSR" check --cert expired.crt --chain inter.p7b "${trust[@]}"
[ "$(fail_lines)" = "validity " ] && ok || bad "expired: FAILs were: $(fail_lines)"
has "$out" "^FAIL validity: 'gw.example.com' expired on .*fix: renew it" "expired fix"

run 1 "$CSR" check --cert good.crt --key wrongcn.key --chain inter.p7b "${trust[@]}"
[ "$(fail_lines)" = "key-match " ] && ok || bad "mismatched key: FAILs were: $(fail_lines)"
has "$out" "^FAIL key-match: 'wrongcn.key' does not belong to this certificate.*fix: use the key" "key fix"

sign foreign gw.example.com serverAuth,clientAuth root2
run 1 "$CSR" check --cert foreign.crt --chain root2.crt "${trust[@]}"
[ "$(fail_lines)" = "chain " ] && ok || bad "untrusted root: FAILs were: $(fail_lines)"
has "$out" "^FAIL chain: the chain ends at the root 'openssl e2e other root', which is not among --trust; fix: give the root" "untrusted root fix"

sign sha1 gw.example.com serverAuth,clientAuth inter -sha1
run 1 "$CSR" check --cert sha1.crt --chain inter.p7b "${trust[@]}"
[ "$(fail_lines)" = "signature " ] && ok || bad "SHA-1: FAILs were: $(fail_lines)"

q openssl req -new -newkey rsa:1024 -nodes -keyout weak.key -out weak.csr -subj "/CN=gw.example.com"
leaf_ext weak serverAuth,clientAuth DNS:gw.example.com
q openssl x509 -req -in weak.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 365 -extfile weak.ext -out weak.crt
run 1 "$CSR" check --cert weak.crt --chain inter.p7b "${trust[@]}"
[ "$(fail_lines)" = "key-strength " ] && ok || bad "RSA 1024: FAILs were: $(fail_lines)"

# --- 4. check --connect against openssl s_server ------------------------------------------------
# start_server ARGS...: s_server on 127.0.0.1, port chosen by the kernel (-accept 127.0.0.1:0);
# sets $port from its "ACCEPT 127.0.0.1:PORT" line, waiting at most 10 s. -www: it answers
# HTTP on the TLS link and never reads its stdin (which would end it at EOF).
start_server() {
  local log=server.$RANDOM.log
  openssl s_server -accept 127.0.0.1:0 -www "$@" </dev/null >"$log" 2>&1 &
  SERVERS+=($!)
  LAST_LOG=$log
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$log")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  bad "s_server did not start: $(cat "$log")"
  return 1
}
if start_server -cert good.crt -key good.key -cert_chain inter.crt; then
  run 0 "$CSR" check --connect "127.0.0.1:$port" "${trust[@]}"
  has "$out" "^peer 127.0.0.1:$port: TLSv1.3 .*, 2 certificate\(s\) sent" "peer line"
  has "$out" "^TLSv1.2: accepted: .*TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" "TLS 1.2 suites"
  has "$out" "^TLSv1.3: accepted: .*TLS_AES_256_GCM_SHA384" "TLS 1.3 suites"
  has "$out" "^result: PASS" "good chain passes"
  run 0 "$CSR" check --json --no-cipher-scan --connect "127.0.0.1:$port" "${trust[@]}"
  has "$out" '"accepted": true' "--json tls versions"
fi
if start_server -cert good.crt -key good.key; then  # the intermediate is not sent
  run 1 "$CSR" check --connect "127.0.0.1:$port" --no-cipher-scan "${trust[@]}"
  [ "$(fail_lines)" = "chain " ] && ok || bad "s_server without chain: FAILs were: $(fail_lines)"
fi
if start_server -cert noclient.crt -key noclient.key -cert_chain inter.crt; then
  run 1 "$CSR" check --connect "127.0.0.1:$port" --no-cipher-scan "${trust[@]}"
  [ "$(fail_lines)" = "eku " ] && ok || bad "s_server serverAuth-only: FAILs were: $(fail_lines)"
fi
# A peer that requires a client certificate (mutual TLS, as an OCS/Lync pool does) ends a TLS 1.2
# handshake after sending its chain: the chain is still checked.
if start_server -cert good.crt -key good.key -cert_chain inter.crt -Verify 1 -tls1_2; then
  run 0 "$CSR" check --connect "127.0.0.1:$port" --no-cipher-scan "${trust[@]}"
  has "$out" "^handshake failed after the peer's certificates \(does it require a client certificate\?\)" "mutual TLS peer explained"
  has "$out" "^result: PASS" "mutual TLS peer's chain checked"
fi
# Nothing listening: a port the kernel just gave us and that was closed again.
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run 2 "$CSR" check --connect "127.0.0.1:$closed" --timeout 2
has "$err" "connection refused|Connection refused" "refused connection explained"

# --- 5. convert -------------------------------------------------------------------------------
run 0 "$CSR" convert all.p7b -o all.pem
[ "$(grep -c 'BEGIN CERTIFICATE' all.pem)" = 3 ] && ok || bad ".p7b to a 3-certificate PEM bundle"
run 0 openssl verify -CAfile root.crt -untrusted all.pem good.crt
openssl x509 -in good.crt -outform DER -out good.cer
run 0 "$CSR" convert good.cer -o good.pem
cmp -s good.pem good.crt && ok || bad ".cer to .pem is not the same certificate"
run 0 "$CSR" convert good.crt -o back.der
openssl x509 -in good.crt -outform DER | cmp -s - back.der && ok || bad "PEM to DER"
run 2 "$CSR" convert all.p7b -o all.der
run 0 "$CSR" convert good.key -o good-copy.der --to der
[ "$(stat -c %a good-copy.der)" = 600 ] && ok || bad "a converted key is not mode 0600"

# --- 6. hostile input: one line on stderr, nothing on stdout, exit 2 ----------------------------
head -c 200 back.der >truncated.der
head -c 3000 /dev/urandom | base64 -w 64 | tr 'A-M' '!-.' >garbage.b64
printf -- '-----BEGIN CERTIFICATE-----\nMIIB%%%%not base64 at all\n-----END CERTIFICATE-----\n' >armoured-garbage.pem
{ echo '-----BEGIN CERTIFICATE-----'; head -c 780000 /dev/zero | base64 -w 64; echo '-----END CERTIFICATE-----'; } >huge.pem
cp good.key loose.key && chmod 644 loose.key
head -c 500 good.crt >cut.pem
hostile() {
  run 2 "$@" || return
  [ -z "$out" ] && ok || bad "stdout not empty for $*: $out"
  [ "$(wc -l <err.txt)" = 1 ] && ok || bad "not one line on stderr for $*: $err"
  has "$err" "^rcc-csr: " "error line prefix"
}
hostile "$CSR" show truncated.der
has "$err" "truncated" "truncated DER named"
hostile "$CSR" show garbage.b64
hostile "$CSR" show armoured-garbage.pem
has "$err" "not valid base64" "bad base64 in PEM named"
hostile "$CSR" show huge.pem
has "$err" "limit" "1 MB PEM refused by the size limit"
hostile "$CSR" show cut.pem
hostile "$CSR" show /dev/null
hostile "$CSR" show does-not-exist.pem
hostile "$CSR" check --cert good.crt --key loose.key "${trust[@]}"
has "$err" "chmod 600" "loose key permissions named with the fix"
hostile "$CSR" new --cn x.example.com --key loose.key -o x.csr
hostile "$CSR" check --cert truncated.der
hostile "$CSR" new --cn "not a host name"
hostile "$CSR" new --cn ok.example.com --key-type rsa:1024
hostile "$CSR" ca sign good.crt --dir labca

echo "rcc-csr e2e: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
