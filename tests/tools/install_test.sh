#!/usr/bin/env bash
# `cmake --install` puts every tool with its man page and its three completions in place.
set -eu
build=$1
shift
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

DESTDIR=$dest cmake --install "$build" --prefix /usr >/dev/null
missing=0
for tool in "$@"; do
  for f in bin/$tool share/man/man1/$tool.1 share/bash-completion/completions/$tool \
           share/zsh/vendor-completions/_$tool share/fish/vendor_completions.d/$tool.fish; do
    [ -f "$dest/usr/$f" ] || { echo "missing: /usr/$f"; missing=$((missing + 1)); }
  done
done
[ -f "$dest/usr/share/doc/rcc-tools/examples/rcc.toml" ] || { echo "missing: examples"; missing=$((missing + 1)); }
echo "$# tools, $missing files missing"
[ "$missing" = 0 ]
