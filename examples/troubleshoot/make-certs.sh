#!/bin/sh
# Writes the certificates the TLS examples use into DIR (default: this directory): a CA
# (ca.pem), the gateway's key (gateway.key) and certificates: gateway.pem (right), gateway-eku.pem
# (serverAuth only), gateway-fqdn.pem (names another host), gateway-expiring.pem (10 days left);
# and an OCS pool's (ocs.pem, ocs.key) for `openssl s_server` to stand in for the pool.
set -eu
dir=${1:-$(dirname "$0")}
cd "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out ca.pem -days 3650 \
  -subj "/CN=Example Enterprise CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl genrsa -out gateway.key 2048 2>/dev/null
openssl genrsa -out ocs.key 2048 2>/dev/null
sign() { # name key cn days eku
  openssl req -new -key "$2" -subj "/CN=$3" -out "$tmp/$1.csr"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=%s\nsubjectAltName=DNS:%s\n' \
    "$5" "$3" > "$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA ca.pem -CAkey "$tmp/ca.key" -CAcreateserial \
    -CAserial "$tmp/ca.srl" -days "$4" -sha256 -extfile "$tmp/$1.ext" -out "$1.pem" 2>/dev/null
}
sign gateway gateway.key rcc-gw.example.com 365 serverAuth,clientAuth
sign gateway-eku gateway.key rcc-gw.example.com 365 serverAuth
sign gateway-fqdn gateway.key other-host.example.com 365 serverAuth,clientAuth
sign gateway-expiring gateway.key rcc-gw.example.com 10 serverAuth,clientAuth
sign ocs ocs.key ocs-pool.example.com 365 serverAuth,clientAuth
