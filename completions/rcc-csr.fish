# fish completion for rcc-csr(1)
set -l commands new show check convert ca
set -l key_types rsa:2048 rsa:3072 rsa:4096 ec:p256 ec:p384

complete -c rcc-csr -f
complete -c rcc-csr -s h -l help -d 'show help and exit'
complete -c rcc-csr -n "not __fish_seen_subcommand_from $commands" -l version -d 'show the version and exit'
complete -c rcc-csr -n "not __fish_seen_subcommand_from $commands" -s v -l verbose -d 'more log output on stderr'
complete -c rcc-csr -n "not __fish_seen_subcommand_from $commands" -s q -l quiet -d 'log errors only'

complete -c rcc-csr -n "not __fish_seen_subcommand_from $commands" -a new -d 'make a key and a certificate request'
complete -c rcc-csr -n "not __fish_seen_subcommand_from $commands" -a show -d 'show certificates, requests, chains, keys'
complete -c rcc-csr -n "not __fish_seen_subcommand_from $commands" -a check -d 'check a certificate, key and chain, or a TLS peer'
complete -c rcc-csr -n "not __fish_seen_subcommand_from $commands" -a convert -d 'convert between PEM and DER'
complete -c rcc-csr -n "not __fish_seen_subcommand_from $commands" -a ca -d 'a small file-based lab CA'

# new
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l cn -x -d 'the gateway FQDN'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l san -x -d 'another DNS name or IP address'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l key-type -x -a "$key_types" -d 'key to generate'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l key -r -F -d 'use this existing private key'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -s o -l out -r -F -d 'request file'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l key-out -r -F -d 'new key file'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l org -x -d 'subject O'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l org-unit -x -d 'subject OU'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l locality -x -d 'subject L'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l state -x -d 'subject ST'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l country -x -d 'subject C (two letters)'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l der -d 'write the request as DER'
complete -c rcc-csr -n '__fish_seen_subcommand_from new' -l force -d 'replace existing output files'

# show
complete -c rcc-csr -n '__fish_seen_subcommand_from show' -F
complete -c rcc-csr -n '__fish_seen_subcommand_from show' -s j -l json -d 'JSON output'

# check
complete -c rcc-csr -n '__fish_seen_subcommand_from check' -l cert -r -F -d 'the gateway certificate'
complete -c rcc-csr -n '__fish_seen_subcommand_from check' -l key -r -F -d 'its private key'
complete -c rcc-csr -n '__fish_seen_subcommand_from check' -l chain -r -F -d 'intermediate certificates'
complete -c rcc-csr -n '__fish_seen_subcommand_from check' -l trust -r -F -d 'root certificates the peers trust'
complete -c rcc-csr -n '__fish_seen_subcommand_from check' -l fqdn -x -d 'the name peers use'
complete -c rcc-csr -n '__fish_seen_subcommand_from check' -l warn-days -x -d 'warn within N days of expiry'
complete -c rcc-csr -n '__fish_seen_subcommand_from check' -l connect -x -d 'check a live TLS peer at HOST:PORT'
complete -c rcc-csr -n '__fish_seen_subcommand_from check' -l timeout -x -d 'seconds per TLS connection'
complete -c rcc-csr -n '__fish_seen_subcommand_from check' -l no-cipher-scan -d 'probe TLS versions only'
complete -c rcc-csr -n '__fish_seen_subcommand_from check' -s j -l json -d 'JSON output'

# convert
complete -c rcc-csr -n '__fish_seen_subcommand_from convert' -F
complete -c rcc-csr -n '__fish_seen_subcommand_from convert' -s o -l out -r -F -d 'output file'
complete -c rcc-csr -n '__fish_seen_subcommand_from convert' -l to -x -a 'pem der' -d 'output encoding'
complete -c rcc-csr -n '__fish_seen_subcommand_from convert' -l force -d 'replace an existing output file'

# ca init, ca sign
complete -c rcc-csr -n '__fish_seen_subcommand_from ca; and not __fish_seen_subcommand_from init sign' -a init -d 'create the CA'
complete -c rcc-csr -n '__fish_seen_subcommand_from ca; and not __fish_seen_subcommand_from init sign' -a sign -d 'sign a request'
complete -c rcc-csr -n '__fish_seen_subcommand_from init sign' -l dir -x -a '(__fish_complete_directories)' -d 'the CA directory'
complete -c rcc-csr -n '__fish_seen_subcommand_from init sign' -l force -d 'replace existing files'
complete -c rcc-csr -n '__fish_seen_subcommand_from init sign' -l days -x -d 'validity in days'
complete -c rcc-csr -n '__fish_seen_subcommand_from init' -l cn -x -d 'the CA name'
complete -c rcc-csr -n '__fish_seen_subcommand_from init' -l key-type -x -a "$key_types" -d 'the CA key'
complete -c rcc-csr -n '__fish_seen_subcommand_from sign' -F
complete -c rcc-csr -n '__fish_seen_subcommand_from sign' -s o -l out -r -F -d 'certificate file'
