#compdef rcc-csr
# zsh completion for rcc-csr(1)

_rcc_csr() {
  local -a key_types=(rsa:2048 rsa:3072 rsa:4096 ec:p256 ec:p384)
  local curcontext=$curcontext state line
  typeset -A opt_args

  _arguments -C \
    '(- *)'{-h,--help}'[show help and exit]' \
    '(- *)--version[show the version and exit]' \
    '*'{-v,--verbose}'[more log output on stderr]' \
    '(-q --quiet)'{-q,--quiet}'[log errors only]' \
    '1:subcommand:->subcommand' \
    '*::argument:->argument' && return

  case $state in
    subcommand)
      local -a commands=(
        'new:make a key and a certificate request (CSR) for the FQDN'
        'show:show what certificates, requests, .p7b chains or keys hold'
        'check:check a certificate, its key and chain, or a live TLS peer'
        'convert:convert between PEM and DER; .p7b or .cer to a PEM bundle'
        'ca:a small file-based lab CA'
      )
      _describe -t commands 'rcc-csr subcommand' commands
      ;;
    argument)
      case $words[1] in
        new)
          _arguments \
            '(- *)'{-h,--help}'[show help and exit]' \
            '--cn=[the gateway FQDN]:FQDN:_hosts' \
            '*--san=[another DNS name or IP address]:name:_hosts' \
            "(--key)--key-type=[key to generate]:key type:(${key_types[*]})" \
            '(--key-type)--key=[use this existing private key]:key file:_files' \
            '(-o --out)'{-o,--out}'=[request file]:file:_files' \
            '--key-out=[new key file]:file:_files' \
            '--org=[subject O]:organization:' \
            '--org-unit=[subject OU]:organizational unit:' \
            '--locality=[subject L]:locality:' \
            '--state=[subject ST]:state:' \
            '--country=[subject C, two letters]:country:' \
            '--der[write the request as DER]' \
            '--force[replace existing output files]'
          ;;
        show)
          _arguments \
            '(- *)'{-h,--help}'[show help and exit]' \
            '(-j --json)'{-j,--json}'[JSON output]' \
            '*:file:_files'
          ;;
        check)
          _arguments \
            '(- *)'{-h,--help}'[show help and exit]' \
            '(--connect)--cert=[the gateway certificate]:file:_files' \
            '(--connect)--key=[its private key]:file:_files' \
            '*--chain=[intermediate certificates]:file:_files' \
            '*--trust=[root certificates the peers trust]:file:_files' \
            '--fqdn=[the name peers use]:FQDN:_hosts' \
            '--warn-days=[warn when a certificate expires within N days]:days:' \
            '(--cert --key)--connect=[check a live TLS peer]:HOST\:PORT:_hosts' \
            '--timeout=[seconds per TLS connection]:seconds:' \
            '--no-cipher-scan[probe TLS versions only]' \
            '(-j --json)'{-j,--json}'[JSON output]'
          ;;
        convert)
          _arguments \
            '(- *)'{-h,--help}'[show help and exit]' \
            '(-o --out)'{-o,--out}'=[output file]:file:_files' \
            '--to=[output encoding]:encoding:(pem der)' \
            '--force[replace an existing output file]' \
            '1:input file:_files'
          ;;
        ca)
          _arguments -C \
            '(- *)'{-h,--help}'[show help and exit]' \
            '1:ca subcommand:((init\:"create the CA" sign\:"sign a request"))' \
            '*::ca argument:->ca_argument' && return
          case $words[1] in
            init)
              _arguments \
                '(- *)'{-h,--help}'[show help and exit]' \
                '--dir=[the CA directory]:directory:_directories' \
                '--cn=[the CA name]:name:' \
                "--key-type=[the CA key]:key type:(${key_types[*]})" \
                '--days=[validity of the CA certificate]:days:' \
                '--force[replace an existing CA]'
              ;;
            sign)
              _arguments \
                '(- *)'{-h,--help}'[show help and exit]' \
                '--dir=[the CA directory]:directory:_directories' \
                '(-o --out)'{-o,--out}'=[certificate file]:file:_files' \
                '--days=[validity of the certificate]:days:' \
                '--force[replace an existing output file]' \
                '1:request:_files'
              ;;
          esac
          ;;
      esac
      ;;
  esac
}

_rcc_csr "$@"
