#!/usr/bin/env python3
"""The end-to-end counterpart of NNL-CONV's single block (Grinberg, Hopfield & Krotov, Fig. 2 left and right): the
same architecture, a standard CONV layer (K filters of W x W x 3, bias, no patch normalization, ReLU), max pooling
and a softmax classifier, with every layer trained by backpropagation (Adam, cross-entropy). The paper gives 27.11%
test error for it, beside 27.80% for its locally learned filters. Hebb is backpropagation-free, so this is a peer
script, in NumPy (whose matrix products go to OpenBLAS; Debian's PyTorch CPU build runs this convolution at 3 to 7
GMAC/s here): it says what the architecture gives trained end to end under the same data and pocket rule as
`hebb eval --probe linear`, which separates the architecture's part of a gap to the paper from the filters' part.

    /usr/bin/python3 bench/peers/conv_end_to_end.py [--epochs 10] [--batch 128] [--lr 0.001] [--window 4]
        [--filters 400] [--pool-window 11] [--pool-stride 6] [--limit-train N] [--seed 1]
    /usr/bin/python3 bench/peers/conv_end_to_end.py --check     # the gradients against finite differences

CIFAR-10 from $HEBB_DATA (or ./data): cifar-10-binary.tar.gz or cifar-10-batches-bin/. Pixels / 255, nothing
else (as hebb's layers see them). The test set is split at random into 5,000 validation + 5,000 test images (a
seeded NumPy permutation: not the same halves as hebb's); evaluated twice an epoch; the reported test error is
the one at the best validation accuracy (the pocket rule). Initialization as PyTorch's default for these layers
(uniform within +-1/sqrt(fan-in)); Adam with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8).
"""
import argparse, os, sys, tarfile, time
import numpy as np
from numpy.lib.stride_tricks import as_strided


def cifar10(root):
    """(train images, train labels, test images, test labels): images N x 3 x 32 x 32 float32 in [0, 1]."""
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    folder = os.path.join(root, "cifar-10-batches-bin")
    tgz = os.path.join(root, "cifar-10-binary.tar.gz")
    if os.path.isdir(folder):
        blobs = [open(os.path.join(folder, n), "rb").read() for n in names]
    elif os.path.exists(tgz):
        with tarfile.open(tgz) as t:
            blobs = [t.extractfile(f"cifar-10-batches-bin/{n}").read() for n in names]
    else:
        sys.exit(f"CIFAR-10 not found: neither {folder} nor {tgz}; set HEBB_DATA or run hebb data fetch cifar10")

    def parse(blob):
        r = np.frombuffer(blob, dtype=np.uint8).reshape(-1, 3073)
        return r[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0, r[:, 0].astype(np.int64)

    train = [parse(b) for b in blobs[:5]]
    xt, yt = parse(blobs[5])
    return np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train]), xt, yt


class Net:
    """CONV (K x C x W x W, bias) -> ReLU -> max pool (window P, stride S) -> linear (10 classes) -> softmax."""

    def __init__(self, channels, size, window, filters, pool_window, pool_stride, rng, dtype=np.float32):
        self.c, self.w, self.k, self.pw, self.ps = channels, window, filters, pool_window, pool_stride
        self.out = size - window + 1
        self.pooled = (self.out - pool_window) // pool_stride + 1
        if self.pooled < 1:
            sys.exit(f"--pool-window {pool_window}: larger than the layer's output ({self.out} x {self.out})")
        n = channels * window * window
        f = filters * self.pooled * self.pooled
        u = lambda shape, fan: rng.uniform(-1 / np.sqrt(fan), 1 / np.sqrt(fan), shape).astype(dtype)
        self.params = {"wc": u((filters, n), n), "bc": u((filters,), n), "wl": u((10, f), f), "bl": u((10,), f)}

    def cols(self, x):
        """Every W x W x C patch (stride 1), channel-major as hebb cuts them: (B * out * out, C * W * W)."""
        b, c, s = x.shape[0], self.c, x.strides
        v = as_strided(x, (b, self.out, self.out, c, self.w, self.w), (s[0], s[2], s[3], s[1], s[2], s[3]))
        return v.reshape(b * self.out * self.out, c * self.w * self.w)

    def forward(self, x, train=True):
        """Logits, and what the backward pass needs (the windows' argmax only when training)."""
        p = self.params
        cols = self.cols(x)
        a = cols @ p["wc"].T
        a += p["bc"]
        np.maximum(a, 0, out=a)                                                 # ReLU in place
        a = a.reshape(x.shape[0], self.out, self.out, self.k)
        pooled = np.empty((x.shape[0], self.pooled, self.pooled, self.k), a.dtype)
        where = []
        for i in range(self.pooled):
            rows = None if train else a[:, i * self.ps:i * self.ps + self.pw].max(axis=1)   # the window's rows, then columns
            for j in range(self.pooled):
                if not train:
                    pooled[:, i, j, :] = rows[:, j * self.ps:j * self.ps + self.pw].max(axis=1)
                    continue
                win = a[:, i * self.ps:i * self.ps + self.pw, j * self.ps:j * self.ps + self.pw, :]
                flat = win.reshape(x.shape[0], self.pw * self.pw, self.k)
                arg = flat.argmax(axis=1)                                     # (B, K): the window's maximum
                pooled[:, i, j, :] = np.take_along_axis(flat, arg[:, None, :], axis=1)[:, 0, :]
                where.append((i, j, arg))
        logits = pooled.reshape(x.shape[0], -1) @ p["wl"].T + p["bl"]
        return logits, (cols, a, pooled, where)

    def loss_and_grads(self, x, y):
        p, b = self.params, x.shape[0]
        logits, (cols, a, pooled, where) = self.forward(x)
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -logp[np.arange(b), y].mean()
        d = np.exp(logp)
        d[np.arange(b), y] -= 1
        d /= b                                                                  # d loss / d logits
        flat = pooled.reshape(b, -1)
        g = {"wl": d.T @ flat, "bl": d.sum(axis=0)}
        dpool = (d @ p["wl"]).reshape(pooled.shape)
        dpool *= pooled > 0                      # ReLU: a window whose maximum is 0 passes no gradient
        da = np.zeros_like(a)
        bi, ki = np.arange(b)[:, None], np.arange(self.k)[None, :]
        for i, j, arg in where:                  # each window's gradient to its maximum; windows overlap, so add
            dy, dx = arg // self.pw, arg % self.pw
            da[bi, i * self.ps + dy, j * self.ps + dx, ki] += dpool[:, i, j, :]
        dz = da.reshape(-1, self.k)
        g["wc"] = dz.T @ cols
        g["bc"] = dz.sum(axis=0)
        return loss, g


class Adam:
    def __init__(self, params, lr, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = lr, b1, b2, eps, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params, grads):
        self.t += 1
        for k, g in grads.items():
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * g
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * g * g
            mh = self.m[k] / (1 - self.b1 ** self.t)
            vh = self.v[k] / (1 - self.b2 ** self.t)
            params[k] -= (self.lr * mh / (np.sqrt(vh) + self.eps)).astype(params[k].dtype)


def check():
    """Every gradient against central differences, in float64, on a small random network; exit 1 on a mismatch."""
    rng = np.random.default_rng(3)
    net = Net(3, 9, 3, 4, 3, 2, rng, dtype=np.float64)
    x, y = rng.uniform(0, 1, (5, 3, 9, 9)), rng.integers(0, 10, 5)
    _, g = net.loss_and_grads(x, y)
    worst = 0.0
    for k, w in net.params.items():
        for idx in [tuple(rng.integers(0, n) for n in w.shape) for _ in range(12)]:
            old, h = w[idx], 1e-6
            w[idx] = old + h
            up = net.loss_and_grads(x, y)[0]
            w[idx] = old - h
            down = net.loss_and_grads(x, y)[0]
            w[idx] = old
            num = (up - down) / (2 * h)
            err = abs(num - g[k][idx]) / max(1e-8, abs(num) + abs(g[k][idx]))
            worst = max(worst, err)
            if err > 1e-5:
                print(f"gradient of {k}{list(idx)}: backprop {g[k][idx]:.8g}, finite differences {num:.8g}")
    print(f"gradient check: worst relative difference {worst:.2e} ({'ok' if worst <= 1e-5 else 'FAILED'})")
    sys.exit(0 if worst <= 1e-5 else 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("HEBB_DATA", "data"))
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--window", type=int, default=4)
    ap.add_argument("--filters", type=int, default=400)
    ap.add_argument("--pool-window", type=int, default=11)
    ap.add_argument("--pool-stride", type=int, default=6)
    ap.add_argument("--limit-train", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    if a.check:
        check()
    for name in ("epochs", "batch", "window", "filters", "pool_window", "pool_stride"):
        if getattr(a, name) < 1:
            sys.exit(f"--{name.replace('_', '-')} {getattr(a, name)}: must be at least 1")
    if not a.lr > 0:
        sys.exit(f"--lr {a.lr}: must be positive")
    rng = np.random.default_rng(a.seed)
    x, y, xt, yt = cifar10(a.data)
    if a.limit_train:
        x, y = x[:a.limit_train], y[:a.limit_train]
    perm = np.random.RandomState(a.seed).permutation(len(xt))
    val, test = perm[:len(xt) // 2], perm[len(xt) // 2:]
    net = Net(3, 32, a.window, a.filters, a.pool_window, a.pool_stride, rng)
    opt = Adam(net.params, a.lr)

    def accuracy(idx):
        return sum((net.forward(xt[idx[i:i + 500]], train=False)[0].argmax(1) == yt[idx[i:i + 500]]).sum()
                   for i in range(0, len(idx), 500)) / len(idx)

    steps = (len(x) + a.batch - 1) // a.batch
    marks = {round(steps / 2), steps}
    print(f"end-to-end CONV: W = {a.window}, K = {a.filters}, pool {a.pool_window}/{a.pool_stride} "
          f"({a.filters * net.pooled ** 2} features), Adam lr {a.lr}, batch {a.batch}, {len(x)} training images",
          flush=True)
    best, t0 = (-1.0, 0.0, 0.0), time.time()
    for epoch in range(a.epochs):
        order = rng.permutation(len(x))
        for s in range(steps):
            i = order[s * a.batch:(s + 1) * a.batch]
            loss, g = net.loss_and_grads(x[i], y[i])
            opt.step(net.params, g)
            if s + 1 in marks:
                v, t = accuracy(val), accuracy(test)
                if v > best[0]:
                    best = (v, t, epoch + (s + 1) / steps)
                print(f"epoch {epoch + (s + 1) / steps:.2f}: loss {loss:.4f}, validation {100 * v:.2f}%, "
                      f"test {100 * t:.2f}% ({time.time() - t0:.0f} s)", flush=True)
    v, t, at = best
    print(f"test error {100 * (1 - t):.2f}% at epoch {at:.2f} (best validation accuracy {100 * v:.2f}%, pocket rule); "
          f"{time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
