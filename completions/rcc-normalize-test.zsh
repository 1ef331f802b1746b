#compdef rcc-normalize-test
# zsh completion for rcc-normalize-test

_arguments -s \
  '(- *)'{-h,--help}'[print help and exit]' \
  '(- *)--version[print version and exit]' \
  '*'{-v,--verbose}'[more log output (repeatable)]' \
  '(-q --quiet)'{-q,--quiet}'[log errors only]' \
  '(-c --config)'{-c,--config}'[configuration file]:config file:_files -g "*.toml"' \
  '(-r --rules)'{-r,--rules}'[rules file]:rules file:_files' \
  '(-e --explain --check --self-test)'{-e,--explain}'[show which rule matched and why]' \
  '(-e --explain --check --self-test *)--check[lint the rules file]' \
  '(-e --explain --check --self-test *)--self-test[run the tests written in the rules file]' \
  '--preprocess[pre-processing before rules apply]:mode:(none lync)' \
  '--semantics[what a matching rule produces]:mode:(result replace)' \
  '(-j --json)'{-j,--json}'[JSON output]' \
  '*:number:'
