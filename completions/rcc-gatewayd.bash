# bash completion for rcc-gatewayd
_rcc_gatewayd() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  case $prev in
    -d | --directory | -c | --config)
      COMPREPLY=($(compgen -f -- "$cur"))
      return
      ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "--help -h --version --verbose -v --quiet -q --config -c
      --check-config --directory -d --status --json" -- "$cur"))
  fi
}
complete -o default -F _rcc_gatewayd rcc-gatewayd
