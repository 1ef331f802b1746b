#!/usr/bin/env bash
# The Debian package, as an administrator gets it: cpack builds it from this build tree, lintian
# finds no error in it, and from its unpacked files every tool runs, every man page renders, the
# default configuration is a conffile the gateway accepts and the unit passes systemd-analyze.
#   deb_test.sh BUILD_DIR TOOL...   (TOOL: every tool the build defines, RCC_TOOLS)
set -euo pipefail
build=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# 1. Build it (into the temporary directory: the build tree stays as it was).
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" > "$work/cpack.log" 2>&1 || {
  cat "$work/cpack.log"; exit 1; }
debs=("$work"/out/*.deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || { echo "expected one .deb, got: ${debs[*]}"; exit 1; }
deb=${debs[0]}
echo "package: $(basename "$deb")"

# 2. lintian: no error. Its whole output is shown; warnings are listed, not fatal.
lintian_status=0
lintian --tag-display-limit 0 "$deb" > "$work/lintian.txt" 2>&1 || lintian_status=$?
sed 's/^/lintian: /' "$work/lintian.txt"
grep -q '^E: ' "$work/lintian.txt" && fail "lintian reports errors"
[ "$lintian_status" = 0 ] || fail "lintian exited $lintian_status"

# 3. The control fields: dpkg-shlibdeps found the libraries, postinst has adduser.
dpkg-deb -e "$deb" "$work/control"
dpkg-deb -x "$deb" "$work/root"
root=$work/root
for field in Package Version Architecture Maintainer Section Priority Depends Description; do
  grep -q "^$field: ." "$work/control/control" || fail "control has no $field"
done
depends=$(sed -n 's/^Depends: //p' "$work/control/control")
for dep in adduser libc6 libssl3 libxml2; do
  [[ "$depends" == *"$dep"* ]] || fail "Depends lacks $dep: $depends"
done
grep -qx '/etc/rcc/rcc.toml' "$work/control/conffiles" || fail "/etc/rcc/rcc.toml is not a conffile"
[ -f "$root/etc/rcc/rcc.toml" ] || fail "/etc/rcc/rcc.toml is not in the package"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "no executable $script"
  sh -n "$work/control/$script" || fail "$script: shell syntax"
done
# The maintainer scripts, with the commands they call replaced by stubs that log their arguments:
# a first install creates the user, a second one does not; nothing enables or starts the unit.
mkdir "$work/stubs"
for cmd in adduser deb-systemd-helper deb-systemd-invoke systemctl; do
  printf '#!/bin/sh\necho "%s $*" >> "%s"\n' "$cmd" "$work/calls" > "$work/stubs/$cmd"
done
printf '#!/bin/sh\n[ -f "%s" ]\n' "$work/user-exists" > "$work/stubs/getent"
chmod +x "$work"/stubs/*
run_script() { PATH="$work/stubs:$PATH" sh -e "$work/control/$1" "${@:2}" || fail "$* exited $?"; }
run_script postinst configure
grep -q '^adduser --system --group .* rcc$' "$work/calls" || fail "postinst configure: no adduser"
touch "$work/user-exists"
: > "$work/calls"
run_script postinst configure 0.1.0-0
grep -q '^adduser' "$work/calls" && fail "postinst adds the rcc user again"
grep -Eq ' (enable|start|restart)( |$)' "$work/calls" && fail "postinst enables or starts: $(cat "$work/calls")"
run_script prerm remove
run_script postrm remove
run_script postrm purge
grep -q '^deb-systemd-helper purge rcc-gatewayd.service' "$work/calls" || fail "postrm purge: no purge"
# Files belong to root, as dpkg will install them.
if dpkg-deb -c "$deb" | awk '$2 != "root/root"' | grep -q .; then
  fail "files not owned by root/root:"; dpkg-deb -c "$deb" | awk '$2 != "root/root"'
fi

# 4. Every tool the build defines is in the package, and every program in it runs from there.
for tool in "$@"; do
  [ -x "$root/usr/bin/$tool" ] || [ -x "$root/usr/sbin/$tool" ] || fail "$tool is not in the package"
done
version=$(sed -n 's/^Version: //p' "$work/control/control")
version=${version%-*}  # the upstream version, without the Debian revision
programs=0
for exe in "$root"/usr/bin/* "$root"/usr/sbin/*; do
  [ -e "$exe" ] || continue
  programs=$((programs + 1))
  name=$(basename "$exe")
  if readelf -d "$exe" | grep -Eq 'RPATH|RUNPATH'; then
    fail "$name carries an RPATH/RUNPATH"
  fi
  out=$("$exe" --version 2>&1) || { fail "$name --version exited $?: $out"; continue; }
  [[ "$out" == *"$version"* ]] || fail "$name --version does not name $version: $out"
  echo "ran: /${exe#"$root"/} --version: $out"
done
[ "$programs" -ge $# ] || fail "$programs programs in the package, $# tools built"

# 5. Every man page renders without a warning; every program has one.
pages=0
while IFS= read -r page; do
  pages=$((pages + 1))
  err=$(MANWIDTH=80 man --warnings=all -l "$page" 2>&1 >/dev/null) || fail "man -l $page failed"
  [ -z "$err" ] || fail "man -l ${page#"$root"}: $err"
done < <(find "$root/usr/share/man" -type f)
for exe in "$root"/usr/bin/* "$root"/usr/sbin/*; do
  [ -e "$exe" ] || continue
  name=$(basename "$exe")
  ls "$root"/usr/share/man/man[18]/"$name".[18].gz >/dev/null 2>&1 || fail "$name has no man page"
done
echo "man pages: $pages rendered"

# 6. The default configuration is valid for the gateway as shipped (run where the embedded
#    default finds its example directory: the package's examples).
gateway=$(ls "$root"/usr/sbin/rcc-gatewayd 2>/dev/null || true)
if [ -n "$gateway" ]; then
  (cd "$root/usr/share/doc/rcc-tools" &&
     "$gateway" --check-config --config "$root/etc/rcc/rcc.toml") > "$work/check.txt" 2>&1 ||
    { fail "rcc-gatewayd --check-config rejects /etc/rcc/rcc.toml"; cat "$work/check.txt"; }
else
  fail "no /usr/sbin/rcc-gatewayd"
fi

# 7. The unit: present, and systemd-analyze verify says nothing about it. verify wants the
#    ExecStart binary and the Documentation= pages on this machine: point them at the package.
unit=$root/lib/systemd/system/rcc-gatewayd.service
if [ -f "$unit" ]; then
  mkdir "$work/unit"
  sed "s|^ExecStart=/usr/sbin/|ExecStart=$root/usr/sbin/|" "$unit" > "$work/unit/rcc-gatewayd.service"
  grep -q "^ExecStart=$root/usr/sbin/rcc-gatewayd " "$work/unit/rcc-gatewayd.service" ||
    fail "the unit's ExecStart is not /usr/sbin/rcc-gatewayd"
  verify=$(MANPATH=$root/usr/share/man systemd-analyze verify "$work/unit/rcc-gatewayd.service" 2>&1) ||
    fail "systemd-analyze verify exited non-zero"
  [ -z "$verify" ] || fail "systemd-analyze verify: $verify"
else
  fail "no /lib/systemd/system/rcc-gatewayd.service"
fi

# 8. The documents Debian wants.
doc=$root/usr/share/doc/rcc-tools
[ -f "$doc/copyright" ] && head -1 "$doc/copyright" | grep -q copyright-format/1.0 ||
  fail "no machine-readable copyright file"
gzip -t "$doc/changelog.Debian.gz" 2>/dev/null || fail "no changelog.Debian.gz"
[ -f "$doc/examples/rcc.toml" ] || fail "no examples"
for tool in "$@"; do
  for f in usr/share/bash-completion/completions/$tool usr/share/zsh/vendor-completions/_$tool \
           usr/share/fish/vendor_completions.d/$tool.fish; do
    [ -f "$root/$f" ] || fail "no /$f"
  done
done

echo "$programs programs, $pages man pages, $failures failures"
[ "$failures" = 0 ]
