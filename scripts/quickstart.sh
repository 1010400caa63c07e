#!/usr/bin/env bash
# The main job on a fresh machine: build, learn Krotov–Hopfield features on MNIST for a few epochs,
# train the top layer on them, print the test error. A few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ldconfig -p | grep -q 'libopenblas\.so\.0'; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0-pthread >/dev/null
  else
    echo "note: OpenBLAS is absent (apt-get install libopenblas0-pthread); using the slower managed GEMM"
  fi
fi
# Datasets: HEBB_DATA, else ./data; link the shared copy when it sits beside the checkout.
if [ -z "${HEBB_DATA:-}" ] && [ ! -e data ] && [ -d ../shared/datasets ]; then ln -s ../shared/datasets data; fi

dotnet build src/Cli -c Release -v quiet -nologo
hebb() { dotnet src/Cli/bin/Release/net10.0/hebb.dll "$@"; }
[ -f "${HEBB_DATA:-data}/mnist/train-images-idx3-ubyte.gz" ] || hebb data fetch mnist

run=runs/quickstart
hebb train krotov --dataset mnist --epochs "${EPOCHS:-10}" --out "$run"
hebb eval "$run" --epochs "${EVAL_EPOCHS:-20}"
echo
echo "filters: $run/filters.png   report: $run/report.md   evaluation: $run/eval/report.md"
