#!/usr/bin/env python3
"""An independent check of `hebb eval RUN --probe linear` on an NNL-CONV run (Grinberg, Hopfield & Krotov, section 2
and eq. 3): the layer and the softmax classifier written again in NumPy from the paper, apart from hebb's code. Every
W x W x 3 patch (stride 1) is scaled to unit length (patch normalization; `--normalize off`: the plain CONV layer),
its dot product with each of the run's filters (`weights.npy`, K x 3*W*W, channel-major as hebb writes them) is
max-pooled (window and stride as `hebb eval`'s `--pool-window` / `--pool-stride`) and passed through ReLU(x)^n. A
linear softmax on those features as they are (`hebb eval --standardize off`) learns by Adam on cross-entropy; the
test set is split at random into a validation and a test half (a seeded NumPy permutation: not the same halves as
hebb's), both scored four times an epoch, and the test error reported is the one at the best validation accuracy
(the pocket rule). If this and `hebb eval` differ by more than the two halves' noise (a test half of 5,000 images:
a binomial standard error of about 0.65 points), one of them is wrong.

    /usr/bin/python3 bench/peers/nnl_conv_probe.py RUN [--n 40] [--pool-window 11] [--pool-stride 6]
        [--normalize on|off] [--epochs 80] [--batch 512] [--lr 0.001] [--seed 1] [--limit-train N] [--data DIR]
        [--save-features FILE]    # the test set's features, which tests/Integration holds to hebb's reference layer

CIFAR-10 from $HEBB_DATA (or ./data), pixels / 255, as bench/peers/conv_end_to_end.py reads it.
"""
import argparse, json, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas_kernels  # noqa: E402  (before NumPy: OpenBLAS's kernels chosen as hebb chooses them)
import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402
from conv_end_to_end import Adam, cifar10, draw, pooled_size  # noqa: E402


def features(images, filters, window, power, pool_window, pool_stride, normalize, chunk=100):
    """The NNL-CONV (or CONV) layer's pooled outputs: N x (K * pooled * pooled) float32, ordered (k, py, px)."""
    k, out = filters.shape[0], images.shape[2] - window + 1
    pooled = pooled_size(out, pool_window, pool_stride)
    result = np.empty((len(images), k, pooled, pooled), np.float32)
    for s in range(0, len(images), chunk):
        b = images[s:s + chunk]
        # B x C x out x out x W x W -> B x out x out x (C * W * W): a patch channel-major, as hebb cuts it
        p = sliding_window_view(b, (window, window), axis=(2, 3)).transpose(0, 2, 3, 1, 4, 5)
        p = p.reshape(len(b), out, out, -1)
        if normalize:
            norm = np.sqrt((p * p).sum(axis=-1, keepdims=True))
            p = p / np.where(norm > 0, norm, 1)                  # a zero patch stays zero
        y = (p.reshape(-1, p.shape[-1]) @ filters.T).reshape(len(b), out, out, k)   # one GEMM for the chunk
        for i in range(pooled):
            for j in range(pooled):
                win = y[:, i * pool_stride:i * pool_stride + pool_window, j * pool_stride:j * pool_stride + pool_window]
                result[s:s + chunk, :, i, j] = win.max(axis=(1, 2))
    np.maximum(result, 0, out=result)                             # f = ReLU(x)^n is non-decreasing: pooling first is the same
    if power != 1:
        np.power(result, power, out=result)
    return result.reshape(len(images), -1)


def softmax_grads(params, x, y):
    """Mean cross-entropy of the linear softmax on (x, y) and its gradients."""
    logits = x @ params["w"].T + params["b"]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(len(y)), y] + 1e-30).mean()
    p[np.arange(len(y)), y] -= 1
    p /= len(y)
    return float(loss), {"w": p.T @ x, "b": p.sum(axis=0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="a hebb train nnl-conv run folder (weights.npy, options.json)")
    ap.add_argument("--data", default=os.environ.get("HEBB_DATA", "data"))
    ap.add_argument("--n", type=float, default=40, help="the power of f(x) = ReLU(x)^n")
    ap.add_argument("--pool-window", type=int, default=11)
    ap.add_argument("--pool-stride", type=int, default=6)
    ap.add_argument("--normalize", choices=["on", "off"], default="on", help="patch normalization (off: CONV)")
    ap.add_argument("--epochs", type=int, default=80)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit-train", type=int, default=0)
    ap.add_argument("--save-features", metavar="FILE", help="also write the test set's features (float32 .npy)")
    a = ap.parse_args()
    for name, value in [("epochs", a.epochs), ("batch", a.batch), ("pool-window", a.pool_window), ("pool-stride", a.pool_stride)]:
        if value < 1:
            sys.exit(f"--{name} {value}: must be at least 1")
    if not a.n >= 1:
        sys.exit(f"--n {a.n}: must be at least 1")
    if not a.lr > 0:
        sys.exit(f"--lr {a.lr}: must be positive")
    try:
        options = json.load(open(os.path.join(a.run, "options.json")))
        filters = np.load(os.path.join(a.run, "weights.npy")).astype(np.float32)
    except (OSError, ValueError) as e:
        sys.exit(f"{a.run}: not a run folder with options.json and weights.npy ({e})")
    window = int(options.get("window", 0))
    if options.get("center_patches"):
        sys.exit(f"{a.run}: its filters learned from centred patches, which this check does not cut")
    if filters.ndim != 2 or filters.shape[1] != 3 * window * window:
        sys.exit(f"{a.run}: weights.npy is {filters.shape}; window {window} needs K x {3 * window * window}")

    x, y, xt, yt = cifar10(a.data)
    if a.limit_train:
        x, y = x[:a.limit_train], y[:a.limit_train]
    t0 = time.time()
    f = features(x, filters, window, a.n, a.pool_window, a.pool_stride, a.normalize == "on")
    ft = features(xt, filters, window, a.n, a.pool_window, a.pool_stride, a.normalize == "on")
    if not (np.isfinite(f).all() and np.isfinite(ft).all()):
        sys.exit(f"--n {a.n:g}: the features overflow float32 (largest finite: 3.4e38)")
    if a.save_features:
        np.save(a.save_features, ft)
    print(f"{'NNL-CONV' if a.normalize == 'on' else 'CONV'} features of {a.run} (W = {window}, K = {len(filters)}, "
          f"n = {a.n:g}, pool {a.pool_window}/{a.pool_stride}): {f.shape[1]} a image, {len(f)} training images, "
          f"in {time.time() - t0:.0f} s; {blas_kernels.apply()}", flush=True)

    rng = np.random.default_rng(a.seed)
    perm = np.random.RandomState(a.seed).permutation(len(xt))
    val, test = perm[:len(xt) // 2], perm[len(xt) // 2:]
    params = draw(rng, {"w": ((10, f.shape[1]), f.shape[1]), "b": ((10,), f.shape[1])}, np.float32)
    opt = Adam(params, a.lr)

    def accuracy(idx):
        return float(((ft[idx] @ params["w"].T + params["b"]).argmax(axis=1) == yt[idx]).mean())

    steps = (len(f) + a.batch - 1) // a.batch
    every = max(1, steps // 4)
    best, step, t0 = (-1.0, 0.0, 0.0), 0, time.time()
    for epoch in range(a.epochs):
        order = rng.permutation(len(f))
        for s in range(steps):
            i = order[s * a.batch:(s + 1) * a.batch]
            loss, grads = softmax_grads(params, f[i], y[i])
            opt.step(params, grads)
            step += 1
            if step % every == 0:
                v, t = accuracy(val), accuracy(test)
                if v > best[0]:
                    best = (v, t, step / steps)
        print(f"epoch {epoch + 1}: loss {loss:.4f}, validation {100 * accuracy(val):.2f}%, test {100 * accuracy(test):.2f}% "
              f"({time.time() - t0:.0f} s)", flush=True)
    v, t, at = best
    print(f"test error {100 * (1 - t):.2f}% at epoch {at:.2f} (best validation accuracy {100 * v:.2f}%, pocket rule)", flush=True)


if __name__ == "__main__":
    main()
