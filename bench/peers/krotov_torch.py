#!/usr/bin/env python3
"""The Krotov-Hopfield fast rule written the way PyTorch users write it (dense matrix products, topk),
as a peer to time `hebb bench krotov` against: same data (MNIST train, pixel / 255), same settings.

    python3 bench/peers/krotov_torch.py [--device cpu|cuda] [--batch 100] [--units 2000] [--epochs 1]

Prints seconds per epoch and samples/s. The update is the authors' code's (variant AuthorsCode): g = 1 for
the top unit, -Delta for the k-th, ds = g v - (sum g I) W, W += eps ds / max|ds|.
"""
import argparse, gzip, os, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas_kernels  # noqa: E402  (before NumPy and torch: OpenBLAS's kernels chosen as hebb chooses them)
import numpy as np  # noqa: E402
import torch  # noqa: E402


def mnist(root):
    path = os.path.join(root, "mnist", "train-images-idx3-ubyte.gz")
    with gzip.open(path, "rb") as f:
        magic, n, h, w = struct.unpack(">IIII", f.read(16))
        assert magic == 0x803, f"{path}: not an IDX3 file"
        return np.frombuffer(f.read(n * h * w), dtype=np.uint8).reshape(n, h * w).astype(np.float32) / 255.0


def update(w, v, eps, p, k, delta, prec=1e-30):
    """One step of the fast rule on the minibatch v (B x N) from w (K x N), as the authors' code does it; the new w."""
    tot = (torch.sign(w) * w.abs() ** (p - 1)) @ v.T          # K x B currents
    top = torch.topk(tot, k, dim=0).indices                   # k x B, strongest first
    g = torch.zeros_like(tot)
    cols = torch.arange(v.shape[0], device=v.device)
    g[top[0], cols] = 1.0
    g[top[k - 1], cols] = -delta
    xx = (g * tot).sum(1)
    ds = g @ v - xx[:, None] * w
    return w + eps * ds / torch.clamp(ds.abs().max(), min=prec)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--data", default=os.environ.get("HEBB_DATA", "data"))
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--p", type=float, default=3.0)
    ap.add_argument("--k", type=int, default=7)
    ap.add_argument("--delta", type=float, default=0.4)
    ap.add_argument("--lr", type=float, default=0.04)
    ap.add_argument("--epochs", type=int, default=1)
    a = ap.parse_args()
    dev = torch.device(a.device)
    torch.manual_seed(1)
    x = torch.from_numpy(mnist(a.data)).to(dev)
    n, dim = x.shape
    w = torch.randn(a.units, dim, device=dev)
    prec = 1e-30

    def step(v, eps):
        nonlocal w
        w = update(w, v, eps, a.p, a.k, a.delta, prec)

    step(x[: a.batch], a.lr)  # warm-up
    if dev.type == "cuda":
        torch.cuda.synchronize()
    for e in range(a.epochs):
        order = torch.randperm(n, device=dev)
        t0 = time.perf_counter()
        for s in range(0, n, a.batch):
            step(x[order[s : s + a.batch]], a.lr * (1 - e / a.epochs))
        if dev.type == "cuda":
            torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        print(f"epoch {e + 1}: {dt:.3f} s, {n / dt:,.0f} samples/s ({a.device}, torch {torch.__version__}, batch {a.batch}, {a.units} units; {blas_kernels.apply()})")


if __name__ == "__main__":
    main()
