# bash completion for rcc-ctisim
_rcc_ctisim() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  case $prev in
    -d | --directory | -c | --config)
      COMPREPLY=($(compgen -f -- "$cur"))
      return
      ;;
    -l | --listen | --control | --max-session-duration | --frame-timeout | --max-frame-bytes)
      return
      ;;
    --framing)
      COMPREPLY=($(compgen -W "annex-j nul-terminated" -- "$cur"))
      return
      ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "--help -h --version --verbose -v --quiet -q --config -c
      --directory -d --listen -l --control --max-session-duration --frame-timeout
      --max-frame-bytes --framing" -- "$cur"))
  fi
}
complete -o default -F _rcc_ctisim rcc-ctisim
