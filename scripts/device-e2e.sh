#!/usr/bin/env bash
# On a GPU machine: the end-to-end peer (bench/peers/conv_end_to_end.py --engine torch) on full CIFAR-10, several
# runs side by side on the one GPU. The whole set (about 139 MB as xz) is over the device tool's 64 MiB carry, so it
# travels in parts over calls that follow each other while the machine stays warm: each call names a folder of
# *.bin.xz parts (any of data_batch_1..5.bin.xz, test_batch.bin.xz), unpacked into /tmp/c10; the runs start once
# all six are there. Each run's log is OUTDIR/e2e-N.txt (the tool brings back 8 files at most: 8 runs at most).
# Usage: scripts/device-e2e.sh OUTDIR PARTS ["RUN OPTIONS" ...]
#   e.g. scripts/device-e2e.sh $OUT publish/c10c "--epochs 30 --pool-stride 6" "--epochs 30 --pool-stride 3"
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?OUTDIR} parts=${2:?PARTS}; shift 2
d=/tmp/c10/cifar-10-batches-bin
mkdir -p "$d" "$out"
shopt -s nullglob
for f in "$parts"/*.bin.xz; do xz -dc "$f" > "$d/$(basename "$f" .xz)" || exit 1; done
have=0
for n in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do [ -s "$d/$n.bin" ] && have=$((have + 1)); done
echo "CIFAR-10 in $d: $have of 6 files"
[ $# -eq 0 ] && exit 0
[ "$have" -eq 6 ] || { echo "not all six files are there yet: carry the rest first"; exit 1; }
[ $# -le 8 ] || { echo "$# runs: 8 at most (the files that come back)"; exit 1; }
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
i=0
for r in "$@"; do
  i=$((i + 1))
  # shellcheck disable=SC2086  # each RUN is an option list
  PYTHONUNBUFFERED=1 python3 bench/peers/conv_end_to_end.py --engine torch --device cuda --data /tmp/c10 $r > "$out/e2e-$i.txt" 2>&1 &
done
wait
for f in "$out"/e2e-*.txt; do echo "== $f: $(head -1 "$f")"; tail -1 "$f"; done
