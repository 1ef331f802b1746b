# bash completion for rcc-troubleshoot
_rcc_troubleshoot() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  case $prev in
    -c | --config)
      COMPREPLY=($(compgen -f -- "$cur"))
      return
      ;;
    --transport)
      COMPREPLY=($(compgen -W "tcp tls" -- "$cur"))
      return
      ;;
    --ocs | --timeout | --dial)
      return
      ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "--help -h --version --verbose -v --quiet -q --config -c
      --ocs --transport --timeout --all --json -j --strict --live --dial" -- "$cur"))
  fi
}
complete -o default -F _rcc_troubleshoot rcc-troubleshoot
