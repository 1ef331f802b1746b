#compdef rcc-gatewayd
# zsh completion for rcc-gatewayd

_arguments -s \
  '(- *)'{-h,--help}'[print help and exit]' \
  '(- *)--version[print version and exit]' \
  '*'{-v,--verbose}'[more log output (repeatable)]' \
  '(-q --quiet)'{-q,--quiet}'[log errors only]' \
  '(-c --config)'{-c,--config}'[configuration file]:config file:_files -g "*.toml"' \
  '--check-config[validate the configuration and the files it names, then exit]' \
  '(-d --directory)'{-d,--directory}'[directory file]:directory file:_files -g "*.toml"' \
  '--status[print the running daemon'"'"'s sessions and CTI nodes, then exit]' \
  '--json[with --status: the endpoint'"'"'s JSON]'
