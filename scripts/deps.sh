# Sourced by scripts/setup and scripts/test: installs the Debian 12 packages the build and the
# test suite need, non-interactively, when any is missing.
RCC_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache clang libclang-rt-14-dev clang-format
  libcli11-dev libssl-dev openssl libxml2-dev libboost-dev libboost-system-dev libspdlog-dev
  libfmt-dev catch2 libpcre2-dev nlohmann-json3-dev libtomlplusplus-dev libbenchmark-dev
  scdoc man-db groff-base bash-completion zsh fish python3 time
  sip-tester tshark socat kamailio libosip2-dev libsofia-sip-ua-dev
  libldap-dev slapd ldap-utils libsystemd-dev lintian haproxy python3-prometheus-client
  dpkg-dev systemd
)

rcc_install_deps() {
  local missing=()
  local p
  for p in "${RCC_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}
