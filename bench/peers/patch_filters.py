#!/usr/bin/env python3
"""Filters for the NNL-CONV layer that the local rule did not learn: baselines for judging the rule's filters in the
same layer and classifier (Grinberg, Hopfield & Krotov, section 3, cite unsupervised K-means [Coates, Ng & Lee 2011]
for filters like theirs).

    --method kmeans   spherical K-means on unit-length W x W x 3 patches: each patch goes to the centroid of largest
                      cosine, each centroid becomes the unit-length sum of its patches; a centroid left without
                      patches is re-seeded with a random patch. The mean best cosine over the patches never falls
                      from one iteration to the next (both steps maximize it); it is printed each iteration.
    --method random   K patches drawn at random, scaled to unit length ("imprinting").

Patches are drawn at random positions of random training images (pixels / 255, as hebb's layer sees them; an
all-zero patch, which has no direction, is dropped) and scaled to unit length, as the NNL-CONV layer scales them.
The filters are written as a run folder that `hebb eval` takes like one of `hebb train nnl-conv`:

    /usr/bin/python3 bench/peers/patch_filters.py --method kmeans --out runs/kmeans [--filters 400] [--window 4]
        [--patches 1000000] [--iterations 30] [--seed 1] [--data DIR]
    hebb eval runs/kmeans --probe linear --n 40 --pool-window 11 --pool-stride 6 --standardize off --epochs 80

CIFAR-10 from $HEBB_DATA (or ./data), read as bench/peers/conv_end_to_end.py reads it.
"""
import argparse, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas_kernels  # noqa: E402  (before NumPy: OpenBLAS's kernels chosen as hebb chooses them)
import numpy as np  # noqa: E402
from conv_end_to_end import cifar10, write_run  # noqa: E402  (the same loader and run folder as that peer's)


def unit_patches(images, count, window, rng):
    """`count` W x W x C patches (channel-major, as hebb cuts them) at random positions of random images, each
    scaled to unit length; all-zero patches dropped."""
    n, c, h, w = images.shape
    i = rng.integers(0, n, count)
    y = rng.integers(0, h - window + 1, count)
    x = rng.integers(0, w - window + 1, count)
    r = np.arange(window)
    p = images[i[:, None, None, None], np.arange(c)[None, :, None, None],
               (y[:, None, None, None] + r[None, None, :, None]), (x[:, None, None, None] + r[None, None, None, :])]
    p = p.reshape(count, c * window * window).astype(np.float64)
    norm = np.linalg.norm(p, axis=1)
    keep = norm > 0
    return p[keep] / norm[keep, None]


def spherical_kmeans(patches, k, iterations, rng, log=print):
    """Centroids (k x N, unit rows) and the mean best cosine after each iteration."""
    if len(patches) < k:
        sys.exit(f"--patches: {len(patches)} usable patches, fewer than --filters {k}")
    centroids = patches[rng.choice(len(patches), k, replace=False)].copy()
    history = []
    for it in range(iterations):
        cos = patches @ centroids.T
        assign = cos.argmax(axis=1)
        history.append(float(cos[np.arange(len(patches)), assign].mean()))
        sums = np.stack([np.bincount(assign, weights=patches[:, j], minlength=k) for j in range(patches.shape[1])], axis=1)
        dead = np.bincount(assign, minlength=k) == 0
        sums[dead] = patches[rng.choice(len(patches), int(dead.sum()), replace=False)]
        # Pixels are never negative, so a sum of unit-length patches is never zero.
        centroids = sums / np.linalg.norm(sums, axis=1, keepdims=True)
        log(f"iteration {it + 1}: mean best cosine {history[-1]:.6f}, {int(dead.sum())} centroid(s) re-seeded")
    return centroids, history


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--method", choices=["kmeans", "random"], required=True)
    ap.add_argument("--out", required=True, help="run folder for weights.npy and options.json")
    ap.add_argument("--data", default=os.environ.get("HEBB_DATA", "data"))
    ap.add_argument("--filters", type=int, default=400)
    ap.add_argument("--window", type=int, default=4)
    ap.add_argument("--patches", type=int, default=1_000_000, help="patches drawn for K-means")
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    for name, value, low in [("filters", a.filters, 1), ("window", a.window, 1), ("patches", a.patches, 1), ("iterations", a.iterations, 1)]:
        if value < low:
            sys.exit(f"--{name} {value}: must be at least {low}")

    start = time.time()
    x, _, _, _ = cifar10(a.data)
    if a.window > min(x.shape[2:]):
        sys.exit(f"--window {a.window}: larger than the images ({x.shape[2]} x {x.shape[3]})")
    rng = np.random.default_rng(a.seed)
    if a.method == "random":
        w = unit_patches(x, a.filters, a.window, rng)
        while len(w) < a.filters:   # all-zero patches were dropped: draw more
            w = np.concatenate([w, unit_patches(x, a.filters - len(w), a.window, rng)])
        history = []
    else:
        p = unit_patches(x, a.patches, a.window, rng)
        w, history = spherical_kmeans(p, a.filters, a.iterations, rng)
    write_run(a.out, w, {"data": os.path.abspath(a.data), "window": a.window, "filters": a.filters,
                         "normalize_patches": True, "center_patches": False, "seed": a.seed, "method": a.method,
                         "patches": a.patches if a.method == "kmeans" else a.filters,
                         "iterations": a.iterations if a.method == "kmeans" else 0, "mean_best_cosine": history,
                         "source": f"bench/peers/patch_filters.py --method {a.method}: not learned by the local rule"})
    print(f"{a.method}: {a.filters} filters of {a.window} x {a.window} x {x.shape[1]} in {a.out} ({time.time() - start:.1f} s; {blas_kernels.apply()})")


if __name__ == "__main__":
    main()
