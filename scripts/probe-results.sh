#!/usr/bin/env bash
# Reproduces README's probe table: raw-pixel baselines on MNIST and CIFAR-10 for each probe, and the
# Krotov–Hopfield representation of RUN (default runs/mnist-100, made by:
#   hebb train krotov --epochs 100 --out runs/mnist-100).
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:-runs/mnist-100}
dotnet build src/Cli -c Release -v quiet -nologo >/dev/null
hebb() { dotnet src/Cli/bin/Release/net10.0/hebb.dll "$@"; }
for ds in mnist cifar10; do
  for probe in linear mlp fewshot; do hebb eval raw --dataset "$ds" --probe "$probe"; done
done
for probe in linear mlp fewshot; do hebb eval "$run" --probe "$probe"; done
hebb eval "$run" --probe linear --random-baseline
for f in runs/raw-*/report.json "$run"/eval-*/report.json; do
  echo "$f: $(grep -E '"(test_accuracy|test_accuracy_std|utilization|selectivity)"' "$f" | tr -d '\n ')"
done
