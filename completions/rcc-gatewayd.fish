# fish completion for rcc-gatewayd
complete -c rcc-gatewayd -s h -l help -d 'Print help and exit'
complete -c rcc-gatewayd -l version -d 'Print version and exit'
complete -c rcc-gatewayd -s v -l verbose -d 'More log output (repeatable)'
complete -c rcc-gatewayd -s q -l quiet -d 'Log errors only'
complete -c rcc-gatewayd -s c -l config -r -F -d 'Configuration file'
complete -c rcc-gatewayd -l check-config -d 'Validate the configuration, then exit'
complete -c rcc-gatewayd -s d -l directory -r -F -d 'Directory file'
complete -c rcc-gatewayd -l status -d "Print the running daemon's sessions and CTI nodes"
complete -c rcc-gatewayd -l json -d 'With --status: the JSON as it is'
