#!/usr/bin/env bash
# Runs on a GPU machine without .NET, over the bundle that scripts/device-bundle.sh made in publish/dev:
# finds the CUDA libraries, then hebb verify (every backend there), hebb bench krotov and nnl-conv on cuda and
# cpu (the cpu's nnl-conv with its default threads, the second-thread feed and 4 or 8 threads), CSNN's layer and
# whole D-CSNN model on cuda (training and encoding beside their GEMM-only bounds).
# Usage: scripts/device-run.sh OUTDIR [STEPS]
#   STEPS: any of probe verify krotov peer conv csnn cpuconv train krotovrun (default: all but cpuconv)
#   Where the session's device time is short (15 minutes, machine start included), run "probe verify conv" first:
#   the checks and the NNL-CONV benches on cuda (time limits 300 + 120 + 240 s); the rest (krotovrun: 300 + 300 s) after.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:?OUTDIR}; steps=${2:-"probe verify krotov peer conv csnn train krotovrun"}
log=$out/log.txt; mkdir -p "$out"
w=/tmp/hebb-dev; mkdir -p $w/data/cifar-10-batches-bin $w/data/mnist $w/blas
say() { echo "== $*" | tee -a "$log"; }
run() { local t=$1; shift; say "$* (limit ${t}s)"; local s=$SECONDS; timeout "$t" "$@" 2>&1 | tee -a "$log"; say "rc=${PIPESTATUS[0]} in $((SECONDS - s)) s"; }
has() { [[ " $steps " == *" $1 "* ]]; }
xz -dc publish/dev/hebb.tar.xz | tar -xf - -C $w
xz -dc publish/dev/blas.tar.xz | tar -xf - -C $w/blas
xz -dc publish/dev/cifar1.bin.xz > $w/data/cifar-10-batches-bin/data_batch_1.bin
# 50,000 images for the full-epoch timing: batch 1 five times (timing does not depend on the pixels)
for i in 2 3 4 5; do ln -sf data_batch_1.bin $w/data/cifar-10-batches-bin/data_batch_$i.bin; done
ln -sf data_batch_1.bin $w/data/cifar-10-batches-bin/test_batch.bin   # the CSNN model bench encodes test images
cp publish/dev/mnist/*.gz $w/data/mnist/
export HEBB_DATA=$w/data
# CUDA libraries: the toolkit's lib64 first, else the pip wheels' folders
libs=""
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib $(ls -d /usr/local/cuda-*/lib64 2>/dev/null) \
         $(find / -xdev -maxdepth 8 -type d -path '*site-packages/nvidia*' -name lib 2>/dev/null); do
  ls "$d"/libnvrtc.so* "$d"/libcublas.so* >/dev/null 2>&1 && libs="$libs:$d"
done
export LD_LIBRARY_PATH=$w/blas$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
hebb=$w/main/hebb
if has probe; then
  say probe
  { nvidia-smi; nproc; lscpu | grep -E 'Model name|^CPU\(s\)|Thread|Core|Socket|NUMA node\(s\)'; echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH";
    ldconfig -p | grep -E 'libcuda|nvrtc|cublas'; for d in ${libs//:/ }; do ls $d | grep -E 'nvrtc|cublas'; done; } 2>&1 | tee -a "$log"
fi
has verify && run 300 $hebb verify
has krotov && { run 120 $hebb bench krotov --backend cuda; run 120 $hebb bench krotov --backend cuda --batch 1000 --reference-steps 0; }
has peer && for b in 100 1000; do run 120 python3 bench/peers/krotov_torch.py --device cuda --batch $b; done
has conv && { run 120 $hebb bench nnl-conv --backend cuda --limit 10000; run 240 $hebb bench nnl-conv --backend cuda; }
has csnn && { run 120 $hebb bench csnn --backend cuda; run 120 python3 bench/peers/csnn_torch.py --device cuda;
               run 240 $hebb bench csnn --model d-csnn --backend cuda --steps 500 --encode 3000; }
if has cpuconv; then
  for o in "" "--threads 1" "--threads 4" "--threads 8"; do run 120 $hebb bench nnl-conv --backend cpu --limit 10000 $o; done
  run 240 $hebb bench nnl-conv --backend cpu
  run 240 $hebb bench nnl-conv --backend cpu --threads 1
fi
if has train; then
  run 240 $hebb train nnl-conv --backend cuda --limit 10000 --epochs 1 --out $w/runs/conv-cuda
  run 240 $hebb train nnl-conv --backend cpu --limit 10000 --epochs 1 --out $w/runs/conv-cpu
  for r in conv-cuda conv-cpu; do cp $w/runs/$r/weights.npy "$out/$r.npy" 2>/dev/null; done
fi
if has krotovrun; then
  run 300 $hebb train krotov --backend cuda --epochs 100 --out $w/runs/mnist-100
  run 300 $hebb eval $w/runs/mnist-100 --epochs 60 --backend cuda
  cp $w/runs/mnist-100/report.md "$out/train-report.md" 2>/dev/null
  cp $w/runs/mnist-100/eval/eval.json "$out/eval.json" 2>/dev/null
fi
say done
