#!/usr/bin/env bash
# `cmake --install` puts every tool with its man page and its three completions in place.
set -eu
build=$1
shift
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

DESTDIR=$dest cmake --install "$build" --prefix /usr >/dev/null
missing=0
# A daemon's page is in section 8 (man/<tool>.8.scd) and it goes to sbin; every other tool's
# page is in section 1 and it goes to bin.
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
for tool in "$@"; do
  section=1 bindir=bin
  [ -f "$source_dir/man/$tool.8.scd" ] && section=8 bindir=sbin
  for f in $bindir/$tool share/man/man$section/$tool.$section share/bash-completion/completions/$tool \
           share/zsh/vendor-completions/_$tool share/fish/vendor_completions.d/$tool.fish; do
    [ -f "$dest/usr/$f" ] || { echo "missing: /usr/$f"; missing=$((missing + 1)); }
  done
done
[ -f "$dest/usr/share/doc/rcc-tools/examples/rcc.toml" ] || { echo "missing: examples"; missing=$((missing + 1)); }
echo "$# tools, $missing files missing"
[ "$missing" = 0 ]
