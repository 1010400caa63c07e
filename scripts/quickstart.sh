#!/usr/bin/env bash
# The main job on a fresh machine: build, learn Krotov–Hopfield units on MNIST, train the top layer on them, and end
# with the picture of the learned units (digit-like, as the paper's Fig. 3) and the test error. About 1.5 minutes on
# 2 cores. Its settings, chosen for that: 400 units (the paper: 2000) learn for 30 epochs at a learning rate of 0.1
# falling to 0 (the paper: 100 epochs from 0.04), so that most units reach the sphere and look like digits in 30 s;
# the top layer trains for 100 epochs (the paper: 300). `hebb reproduce krotov-mnist` runs the paper's settings.
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
hebb train krotov --dataset mnist --units 400 --lr 0.1 --epochs "${EPOCHS:-30}" --out "$run"
hebb eval "$run" --epochs "${EVAL_EPOCHS:-100}"
echo
echo "reports: $run/report.md (the units), $run/eval/report.md (the top layer), $run/eval/errors.png (its errors per epoch)"
echo "the learned units, as the paper's Fig. 3 (red positive, blue negative): $run/filters.png"
echo "test error: $(sed -n 's/.*"test_error": \([0-9.eE-]*\).*/\1/p' "$run/eval/eval.json" | awk '{printf "%.2f%%", 100 * $1}') (the paper, with 2000 units and its full schedule: 1.52%)"
