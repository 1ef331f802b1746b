# bash completion for rcc-normalize-test
_rcc_normalize_test() {
  local cur prev
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  case $prev in
    -r | --rules | -c | --config)
      COMPREPLY=($(compgen -f -- "$cur"))
      return
      ;;
    --preprocess)
      COMPREPLY=($(compgen -W "none lync" -- "$cur"))
      return
      ;;
    --semantics)
      COMPREPLY=($(compgen -W "result replace" -- "$cur"))
      return
      ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "--help -h --version --verbose -v --quiet -q --config -c --rules -r
      --explain -e --check --self-test --preprocess --semantics --json -j" -- "$cur"))
  fi
}
complete -o default -F _rcc_normalize_test rcc-normalize-test
