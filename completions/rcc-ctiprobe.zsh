#compdef rcc-ctiprobe
# zsh completion for rcc-ctiprobe

_arguments -s \
  '(- *)'{-h,--help}'[print help and exit]' \
  '(- *)--version[print version and exit]' \
  '*'{-v,--verbose}'[more log output (repeatable)]' \
  '(-q --quiet)'{-q,--quiet}'[log errors only]' \
  '--config[configuration file]:config file:_files -g "*.toml"' \
  '(-w --warning)'{-w,--warning}'[round trip range for WARNING, ms]:range:' \
  '(-c --critical)'{-c,--critical}'[round trip range for CRITICAL, ms]:range:' \
  '(-t --timeout)'{-t,--timeout}'[seconds for connect and each answer]:seconds:' \
  '(-u --user)'{-u,--user}'[application user]:user:' \
  '--password-file[file holding the password]:file:_files' \
  '(-j --json)'{-j,--json}'[JSON report]' \
  '--prometheus[write a textfile-collector file]:file:_files' \
  '*:node (HOST\:PORT):'
