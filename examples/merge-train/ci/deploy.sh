#!/bin/sh
# Stands in for a real deploy (docs/deploy.md): records what shipped.
set -eu
mkdir -p out
echo "deployed $1 from $2" >> out/deployed.txt
echo "deployed $1 from $2"
