#!/usr/bin/env python3
"""The end-to-end counterpart of NNL-CONV's single block (Grinberg, Hopfield & Krotov, Fig. 2 left and right): the
same architecture, a standard CONV layer (K filters of W x W x 3, bias, no patch normalization, ReLU), max pooling
and a softmax classifier, with every layer trained by backpropagation (Adam, cross-entropy). The paper gives 27.11%
test error for it, beside 27.80% for its locally learned filters. Hebb is backpropagation-free, so this is a peer
script, in NumPy (whose matrix products go to OpenBLAS; Debian's PyTorch CPU build runs this convolution at 3 to 7
GMAC/s here): it says what the architecture gives trained end to end under the same data and pocket rule as
`hebb eval --probe linear`, which separates the architecture's part of a gap to the paper from the filters' part.
`--engine torch` runs the same network in PyTorch (autograd) on a GPU, and blocks of several windows side by side
(Fig. 2 middle); on one block it starts from the same numbers and follows the NumPy engine step for step up to
rounding (`--compare` checks this in float64 on a few steps, on the CPU). `--shadow` also scores the test half
shadowed (section 5), which makes this the paper's CONV control in the shadow test: trained end to end on raw images.

    /usr/bin/python3 bench/peers/conv_end_to_end.py [--epochs 10] [--batch 128] [--lr 0.001] [--window 4]
        [--filters 400] [--pool-window 11] [--pool-stride 6] [--padding 0] [--limit-train N] [--seed 1] [--save DIR]
        [--shadow]
    python3 bench/peers/conv_end_to_end.py --engine torch --device cuda --window 3,4,6 ...
    /usr/bin/python3 bench/peers/conv_end_to_end.py --check     # the gradients against finite differences
    /usr/bin/python3 bench/peers/conv_end_to_end.py --compare   # the torch engine against the NumPy one

CIFAR-10 from $HEBB_DATA (or ./data): cifar-10-binary.tar.gz or cifar-10-batches-bin/. Pixels / 255, nothing
else (as hebb's layers see them). The test set is split at random into 5,000 validation + 5,000 test images (a
seeded NumPy permutation: not the same halves as hebb's); evaluated twice an epoch; the reported test error is
the one at the best validation accuracy (the pocket rule). Initialization as PyTorch's default for these layers
(uniform within +-1/sqrt(fan-in)); Adam with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8).
"""
import argparse, json, os, sys, tarfile, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas_kernels  # noqa: E402  (before NumPy: OpenBLAS's kernels chosen as hebb chooses them)
import numpy as np  # noqa: E402
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


def shadow(images, rng, coverage=0.8, factor=0.3):
    """Section 5's shadow test images: about `coverage` of each image (N x C x H x W) multiplied by `factor`, drawn
    as hebb's Shadow.Apply draws them (one axis-aligned rectangle per image: its width a random fraction in
    [coverage, 1] of the image's, its height the fraction that makes the area `coverage`, its position uniform),
    from a NumPy generator, so from the same distribution but not the same rectangles. A new array."""
    out = images.copy()
    n, _, h, w = images.shape
    for r in range(n):
        fw = coverage + (1 - coverage) * rng.random()
        sw = min(max(int(round(fw * w)), 1), w)
        sh = min(max(int(round(coverage * h * w / sw)), 1), h)
        x0, y0 = int(rng.integers(0, w - sw + 1)), int(rng.integers(0, h - sh + 1))
        out[r, :, y0:y0 + sh, x0:x0 + sw] *= factor
    return out


def pooled_size(out, pool_window, pool_stride):
    """Side of the max-pooled map: windows that fit whole in a side of `out` (no padding)."""
    if out < pool_window:
        sys.exit(f"--pool-window {pool_window}: larger than the layer's output ({out} x {out})")
    return (out - pool_window) // pool_stride + 1


def draw(rng, shapes, dtype):
    """PyTorch's default initialization of these layers, U(-1/sqrt(fan-in), 1/sqrt(fan-in)), drawn in dict order."""
    return {k: rng.uniform(-1 / np.sqrt(fan), 1 / np.sqrt(fan), shape).astype(dtype)
            for k, (shape, fan) in shapes.items()}


class Net:
    """CONV (K x C x W x W, bias) -> ReLU -> max pool (window P, stride S) -> linear (10 classes) -> softmax."""

    def __init__(self, channels, size, window, filters, pool_window, pool_stride, rng, dtype=np.float32, padding=0,
                 lr=1e-3):
        self.c, self.w, self.k, self.pw, self.ps, self.pad = channels, window, filters, pool_window, pool_stride, padding
        self.out = size + 2 * padding - window + 1
        self.pooled = pooled_size(self.out, pool_window, pool_stride)
        n, f = channels * window * window, filters * self.pooled ** 2
        self.features = f
        self.params = draw(rng, {"wc": ((filters, n), n), "bc": ((filters,), n), "wl": ((10, f), f), "bl": ((10,), f)},
                           dtype)
        self.opt = Adam(self.params, lr)

    def step(self, x, y):
        """One Adam step on the minibatch; its loss."""
        loss, g = self.loss_and_grads(x, y)
        self.opt.step(self.params, g)
        return loss

    def predict(self, x):
        return self.forward(x, train=False)[0]

    def filters(self):
        """The CONV filters of each block (here one), K x C*W*W."""
        return [self.params["wc"]]

    def cols(self, x):
        """Every W x W x C patch (stride 1), channel-major as hebb cuts them: (B * out * out, C * W * W)."""
        b, c, s = x.shape[0], self.c, x.strides
        v = as_strided(x, (b, self.out, self.out, c, self.w, self.w), (s[0], s[2], s[3], s[1], s[2], s[3]))
        return v.reshape(b * self.out * self.out, c * self.w * self.w)

    def forward(self, x, train=True):
        """Logits, and what the backward pass needs (the windows' argmax only when training)."""
        p = self.params
        if self.pad:
            x = np.pad(x, ((0, 0), (0, 0), (self.pad, self.pad), (self.pad, self.pad)))
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


class TorchNet:
    """The same network in PyTorch (autograd, cuDNN; float32, TF32 off), for a GPU, with any number of CONV blocks of
    different windows side by side (the end-to-end counterpart of Fig. 2 middle), their pooled maps concatenated
    before the classifier. Parameters are drawn as Net draws them (one block: the same numbers), and Adam is
    PyTorch's with the same defaults, so on one block it follows Net step for step up to rounding."""

    def __init__(self, size, windows, filters, pool_window, pool_stride, padding, rng, lr, device, dtype=np.float32):
        import torch
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
        self.torch, self.windows, self.pw, self.ps, self.pad = torch, windows, pool_window, pool_stride, padding
        sides = [pooled_size(size + 2 * padding - w + 1, pool_window, pool_stride) for w in windows]
        f = filters * sum(s * s for s in sides)
        shapes = {}
        for b, w in enumerate(windows):
            shapes[f"wc{b}"], shapes[f"bc{b}"] = ((filters, 3 * w * w), 3 * w * w), ((filters,), 3 * w * w)
        shapes["wl"], shapes["bl"] = ((10, f), f), ((10,), f)
        self.params = {k: torch.tensor(v, device=device, requires_grad=True) for k, v in draw(rng, shapes, dtype).items()}
        self.features = f
        self.opt = torch.optim.Adam(self.params.values(), lr=lr)

    def logits(self, x):
        F, p, parts = self.torch.nn.functional, self.params, []
        for b, w in enumerate(self.windows):
            z = F.conv2d(x, p[f"wc{b}"].view(-1, 3, w, w), p[f"bc{b}"], padding=self.pad)
            z = F.max_pool2d(F.relu(z), self.pw, self.ps)
            parts.append(z.permute(0, 2, 3, 1).flatten(1))          # (row, column, channel), as Net flattens
        return self.torch.cat(parts, 1) @ p["wl"].T + p["bl"]

    def step(self, x, y):
        self.opt.zero_grad(set_to_none=True)
        loss = self.torch.nn.functional.cross_entropy(self.logits(x), y)
        loss.backward()
        self.opt.step()
        return loss.item()

    def predict(self, x):
        with self.torch.no_grad():
            return self.logits(x).cpu().numpy()

    def filters(self):
        """The CONV filters of each block, K x C*W*W, as NumPy arrays."""
        return [self.params[f"wc{b}"].detach().cpu().numpy() for b in range(len(self.windows))]


def write_run(folder, filters, fields):
    """Filters (K x C*W*W, channel-major as hebb cuts patches) as a run folder that `hebb eval` takes like one of
    `hebb train nnl-conv`: weights.npy, and options.json with `fields` after the rule and the dataset."""
    os.makedirs(folder, exist_ok=True)
    np.save(os.path.join(folder, "weights.npy"), np.ascontiguousarray(filters, dtype=np.float32))
    with open(os.path.join(folder, "options.json"), "w") as f:
        json.dump({"rule": "nnl-conv", "dataset": "cifar10", **fields}, f, indent=2)


def save_filters(folder, filters, window, epochs, seed):
    """The CONV layer's filters as a run folder, so the same filters can be judged in the NNL-CONV layer (the bias is
    not kept: the NNL-CONV layer has none)."""
    write_run(folder, filters, {"window": window, "filters": int(filters.shape[0]), "normalize_patches": False,
                                "center_patches": False, "seed": seed, "epochs": epochs,
                                "source": "bench/peers/conv_end_to_end.py: trained end to end by backpropagation"})


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


def compare():
    """The torch engine against the NumPy one on one small block (padding, overlapping pooling), in float64: the
    same start, then the losses and parameters after each of 5 Adam steps; exit 1 where they part by more than
    rounding (1e-10 of a loss, 1e-8 of the learning rate in a parameter). In float32 the two part after a few steps
    where rounding moves a pooling window's maximum to another position (a different, equally valid gradient)."""
    import torch
    x = np.random.default_rng(5).uniform(0, 1, (16, 3, 12, 12))
    y = np.random.default_rng(6).integers(0, 10, 16)
    lr = 1e-3
    ours = Net(3, 12, 3, 8, 3, 2, np.random.default_rng(7), dtype=np.float64, padding=1, lr=lr)
    theirs = TorchNet(12, [3], 8, 3, 2, 1, np.random.default_rng(7), lr, torch.device("cpu"), dtype=np.float64)
    names = {"wc": "wc0", "bc": "bc0", "wl": "wl", "bl": "bl"}
    worst_loss = worst_param = 0.0
    for _ in range(5):
        a, b = ours.step(x, y), theirs.step(torch.from_numpy(x), torch.from_numpy(y))
        worst_loss = max(worst_loss, abs(a - b) / abs(a))
        for k, t in names.items():
            worst_param = max(worst_param, float(np.abs(ours.params[k] - theirs.params[t].detach().numpy()).max()) / lr)
    ok = worst_loss <= 1e-10 and worst_param <= 1e-8
    print(f"torch against numpy, 5 steps: losses {worst_loss:.2e} apart (relative), parameters {worst_param:.2e} "
          f"of the learning rate ({'ok' if ok else 'FAILED'})")
    sys.exit(0 if ok else 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("HEBB_DATA", "data"))
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--window", default="4", help="W, or several (3,4,6: blocks side by side; --engine torch)")
    ap.add_argument("--filters", type=int, default=400)
    ap.add_argument("--pool-window", type=int, default=11)
    ap.add_argument("--pool-stride", type=int, default=6)
    ap.add_argument("--padding", type=int, default=0, help="zeros around each image before the CONV layer")
    ap.add_argument("--engine", choices=["numpy", "torch"], default="numpy")
    ap.add_argument("--device", default="cuda", help="the torch engine's device (cuda, cuda:1, cpu)")
    ap.add_argument("--limit-train", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--save", help="folder for the final CONV filters, as a run `hebb eval` takes (several blocks: "
                    "one folder each, FOLDER/wW)")
    ap.add_argument("--shadow", action="store_true", help="also score the test half shadowed (section 5: about 80%% "
                    "of each image multiplied by 0.3), at every evaluation and at the pocket rule's")
    ap.add_argument("--check", action="store_true", help="the gradients against central differences, then exit")
    ap.add_argument("--compare", action="store_true", help="the torch engine against the NumPy one, then exit")
    a = ap.parse_args()
    if a.check:
        check()
    if a.compare:
        compare()
    try:
        windows = [int(w) for w in a.window.split(",")]
    except ValueError:
        sys.exit(f"--window {a.window}: must be a window size, or several separated by commas (3,4,6)")
    for name, value in [("epochs", a.epochs), ("batch", a.batch), ("filters", a.filters),
                        ("pool-window", a.pool_window), ("pool-stride", a.pool_stride)]:
        if value < 1:
            sys.exit(f"--{name} {value}: must be at least 1")
    if min(windows) < 1:
        sys.exit(f"--window {a.window}: every window must be at least 1")
    if a.padding < 0:
        sys.exit(f"--padding {a.padding}: must be at least 0")
    if not a.lr > 0:
        sys.exit(f"--lr {a.lr}: must be positive")
    if a.engine == "numpy" and len(windows) > 1:
        sys.exit(f"--window {a.window}: the numpy engine runs one block; several need --engine torch")
    rng = np.random.default_rng(a.seed)
    x, y, xt, yt = cifar10(a.data)
    if a.limit_train:
        x, y = x[:a.limit_train], y[:a.limit_train]
    perm = np.random.RandomState(a.seed).permutation(len(xt))
    xs = shadow(xt, np.random.default_rng(a.seed + 29)) if a.shadow else None
    val, test = perm[:len(xt) // 2], perm[len(xt) // 2:]
    test_labels = yt                                        # kept in NumPy for scoring
    if a.engine == "numpy":
        net = Net(3, 32, windows[0], a.filters, a.pool_window, a.pool_stride, rng, padding=a.padding, lr=a.lr)
        index = lambda i: i
    else:
        import torch
        dev = torch.device(a.device)
        net = TorchNet(32, windows, a.filters, a.pool_window, a.pool_stride, a.padding, rng, a.lr, dev)
        x, y, xt = (torch.from_numpy(v).to(dev) for v in (x, y, xt))
        xs = torch.from_numpy(xs).to(dev) if a.shadow else None
        index = lambda i: torch.from_numpy(i).to(dev)      # the data lives on the device; so do the indices

    def accuracy(images, idx):
        return sum((net.predict(images[index(idx[i:i + 500])]).argmax(1) == test_labels[idx[i:i + 500]]).sum()
                   for i in range(0, len(idx), 500)) / len(idx)

    steps = (len(x) + a.batch - 1) // a.batch
    marks = {round(steps / 2), steps}
    print(f"end-to-end CONV ({a.engine}{'' if a.engine == 'numpy' else ' on ' + a.device}): W = {a.window}, "
          f"K = {a.filters}, padding {a.padding}, pool {a.pool_window}/{a.pool_stride} ({net.features} features), "
          f"Adam lr {a.lr}, batch {a.batch}, {len(x)} training images; {blas_kernels.apply()}", flush=True)
    best, t0 = (-1.0, 0.0, 0.0, 0.0), time.time()
    for epoch in range(a.epochs):
        order = rng.permutation(len(x))
        for s in range(steps):
            i = index(order[s * a.batch:(s + 1) * a.batch])
            loss = net.step(x[i], y[i])
            if s + 1 in marks:
                v, t = accuracy(xt, val), accuracy(xt, test)
                ts = accuracy(xs, test) if a.shadow else 0.0
                if v > best[0]:
                    best = (v, t, epoch + (s + 1) / steps, ts)
                print(f"epoch {epoch + (s + 1) / steps:.2f}: loss {loss:.4f}, validation {100 * v:.2f}%, "
                      f"test {100 * t:.2f}%{f', shadowed test {100 * ts:.2f}%' if a.shadow else ''} "
                      f"({time.time() - t0:.0f} s)", flush=True)
    if a.save:
        for w, filters in zip(windows, net.filters()):
            save_filters(a.save if len(windows) == 1 else os.path.join(a.save, f"w{w}"), filters, w, a.epochs, a.seed)
    v, t, at, ts = best
    print(f"test error {100 * (1 - t):.2f}%{f' (shadowed: {100 * (1 - ts):.2f}%)' if a.shadow else ''} at epoch "
          f"{at:.2f} (best validation accuracy {100 * v:.2f}%, pocket rule); {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
