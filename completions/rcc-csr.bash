# bash completion for rcc-csr(1)
_rcc_csr() {
  local cur prev words cword
  _init_completion || return

  local global="-h --help --version -v --verbose -q --quiet"
  local key_types="rsa:2048 rsa:3072 rsa:4096 ec:p256 ec:p384"
  local cmd="" sub="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      -*) ;;
      *)
        if [[ -z $cmd ]]; then
          cmd=${words[i]}
        elif [[ $cmd == ca && -z $sub ]]; then
          sub=${words[i]}
        fi
        ;;
    esac
  done

  case $prev in
    --key-type)
      COMPREPLY=($(compgen -W "$key_types" -- "$cur"))
      return
      ;;
    --to)
      COMPREPLY=($(compgen -W "pem der" -- "$cur"))
      return
      ;;
    --dir)
      _filedir -d
      return
      ;;
    --key | -o | --out | --key-out | --cert | --chain | --trust)
      _filedir
      return
      ;;
    --cn | --san | --org | --org-unit | --locality | --state | --country | --fqdn | \
      --warn-days | --connect | --timeout | --days)
      return
      ;;
  esac

  local opts
  case $cmd in
    "")
      COMPREPLY=($(compgen -W "new show check convert ca $global" -- "$cur"))
      return
      ;;
    new)
      opts="--cn --san --key-type --key -o --out --key-out --org --org-unit --locality --state
            --country --der --force -h --help"
      ;;
    show)
      opts="-j --json -h --help"
      ;;
    check)
      opts="--cert --key --chain --trust --fqdn --warn-days --connect --timeout --no-cipher-scan
            -j --json -h --help"
      ;;
    convert)
      opts="-o --out --to --force -h --help"
      ;;
    ca)
      case $sub in
        "") COMPREPLY=($(compgen -W "init sign -h --help" -- "$cur")); return ;;
        init) opts="--dir --cn --key-type --days --force -h --help" ;;
        sign) opts="--dir -o --out --days --force -h --help" ;;
      esac
      ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    _filedir
  fi
}
complete -F _rcc_csr rcc-csr
