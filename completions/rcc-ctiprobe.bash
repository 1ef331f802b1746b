# bash completion for rcc-ctiprobe
_rcc_ctiprobe() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  case $prev in
    --config | --password-file | --prometheus)
      COMPREPLY=($(compgen -f -- "$cur"))
      return
      ;;
    -w | --warning | -c | --critical | -t | --timeout | -u | --user)
      return
      ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "--help -h --version --verbose -v --quiet -q --config
      --warning -w --critical -c --timeout -t --user -u --password-file --json -j
      --prometheus" -- "$cur"))
  fi
}
complete -o default -F _rcc_ctiprobe rcc-ctiprobe
