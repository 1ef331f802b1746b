#compdef rcc-ctisim
# zsh completion for rcc-ctisim

_arguments -s \
  '(- *)'{-h,--help}'[print help and exit]' \
  '(- *)--version[print version and exit]' \
  '*'{-v,--verbose}'[more log output (repeatable)]' \
  '(-q --quiet)'{-q,--quiet}'[log errors only]' \
  '(-c --config)'{-c,--config}'[configuration file]:config file:_files -g "*.toml"' \
  '(-d --directory)'{-d,--directory}'[directory file]:directory file:_files -g "*.toml"' \
  '(-l --listen)'{-l,--listen}'[CTI port]:HOST\:PORT:' \
  '--control[control port]:HOST\:PORT:' \
  '--max-session-duration[longest session granted]:seconds:' \
  '--frame-timeout[drop a peer stuck mid-frame]:milliseconds:' \
  '--max-frame-bytes[largest frame accepted]:bytes:' \
  '--framing[framing on the CTI port]:framing:(annex-j nul-terminated)'
