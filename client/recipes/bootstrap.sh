#!/usr/bin/env bash
# Prints the bootstrap string of a bootstrap alias, for the Kafka CLI tools, kcat and scripts:
#   kafka-console-consumer.sh --bootstrap-server "$(client/recipes/bootstrap.sh kafka-consumers.msk.internal)" ...
# Needs dig (Debian/Ubuntu: dnsutils; Amazon Linux: bind-utils). Usage: bootstrap.sh ALIAS [@dns-server]
set -euo pipefail
dig +short TXT "$1" ${2:+"$2"} | grep '^"v=msk-bootstrap1"' | head -1 \
    | tr ' ' '\n' | sed -n 's/^"broker=\(.*\)"$/\1/p' | paste -sd, -
