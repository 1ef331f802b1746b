#compdef rcc-troubleshoot
# zsh completion for rcc-troubleshoot

_arguments -s \
  '(- *)'{-h,--help}'[print help and exit]' \
  '(- *)--version[print version and exit]' \
  '*'{-v,--verbose}'[more log output (repeatable)]' \
  '(-q --quiet)'{-q,--quiet}'[log errors only]' \
  '(-c --config)'{-c,--config}'[configuration file]:config file:_files -g "*.toml"' \
  '--ocs[OCS/Lync pool or server, HOST\:PORT]:host:_hosts' \
  '--transport[transport of the OCS static route]:transport:(tcp tls)' \
  '--timeout[seconds for each network step]:seconds:' \
  '--all[check every user]' \
  '(-j --json)'{-j,--json}'[JSON report]' \
  '--strict[exit 1 on warnings too]' \
  '--live[sign in to the running gateway]' \
  '--dial[with --live: call NUMBER]:number:' \
  '1::user (ID, e-mail or sip\: URI):'
