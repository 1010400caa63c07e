#!/usr/bin/env bash
# Packs what a GPU machine without .NET needs to run `hebb verify` and `hebb bench` there, into publish/dev
# (ignored by git; about 50 MB, under the device tool's 64 MiB carry limit):
#   hebb.tar.xz   a trimmed self-contained build of this checkout, as main/
#   blas.tar.xz   this machine's OpenBLAS (libopenblas.so.0 with libgfortran and libquadmath) for the cpu backend
#   cifar1.bin.xz CIFAR-10's data_batch_1.bin (10,000 images; the whole set does not fit the carry limit)
#   mnist/        MNIST's four .gz files (for hebb bench krotov and a training run)
# Then scripts/device-run.sh runs there. Usage: scripts/device-bundle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD data=${HEBB_DATA:-$root/data} tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p publish/dev && rm -rf publish/dev/*
pub() { dotnet publish "$1/src/Cli" -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -o "$2" -v quiet -nologo >/dev/null; rm -f "$2"/*.pdb; }
pub "$root" "$tmp/main"
(cd "$tmp" && tar -cf - main | xz -T0 -9e > "$root/publish/dev/hebb.tar.xz")
mkdir "$tmp/blas"
cp -L /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 /lib/x86_64-linux-gnu/libgfortran.so.5 \
      /lib/x86_64-linux-gnu/libquadmath.so.0 "$tmp/blas/"
(cd "$tmp/blas" && tar -cf - . | xz -T0 -9 > "$root/publish/dev/blas.tar.xz")
batch1=$data/cifar-10-batches-bin/data_batch_1.bin
if [ ! -f "$batch1" ]; then
  tar -xzf "$data/cifar-10-binary.tar.gz" -C "$tmp" cifar-10-batches-bin/data_batch_1.bin
  batch1=$tmp/cifar-10-batches-bin/data_batch_1.bin
fi
xz -T0 -6 -c "$batch1" > publish/dev/cifar1.bin.xz
mkdir -p publish/dev/mnist && cp "$data"/mnist/*.gz publish/dev/mnist/
du -ch publish/dev/* | tail -1
