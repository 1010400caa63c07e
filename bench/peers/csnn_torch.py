#!/usr/bin/env python3
"""One masked multi-head sconv layer of CSNN (Stuhr & Brauer, section III) written the way PyTorch users write it
(unfold, dense products, argmax, index_add), as a peer to time `hebb bench csnn` against: same data (CIFAR-10 train,
normalized by one scalar mean and deviation), same settings (D-CSNN's first layer: 3 maps of 12 x 12, 3 x 3 x 3 patches,
stride 1, padding 1, input masks, eq. 12 with gamma = 1, sigma = 1, SOM rate 0.1, mask rate 0.005, batch 1).

    python3 bench/peers/csnn_torch.py [--device cpu|cuda] [--steps 500] [--batch 1] [--grid 12x12x3]
    python3 bench/peers/csnn_torch.py --check DIR --grid RxCxM

Prints the seconds of the steps and images/s. With --check, the peer takes its inputs from DIR instead (images.npy:
B x 3*H*W normalized images, channel-major, one step per image; w.npy and m.npy: (maps * neurons) x 27 initial
weights and masks), steps once per image and writes w_out.npy and m_out.npy, for a test to hold against hebb. The mask update is eq. 12 as written (Hebb on the input modified by all
masks of the map), vectorized over the patches; only each patch's learning BMU moves its mask (eq. 14).
"""
import argparse, os, sys, tarfile, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blas_kernels  # noqa: E402  (before NumPy and torch: OpenBLAS's kernels chosen as hebb chooses them)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def cifar_train(root, count):
    """The first `count` CIFAR-10 training images, N x 3 x 32 x 32 float32 in [0, 1], from as many batches as they
    need (the extracted folder or the tarball; a GPU machine may hold only data_batch_1)."""
    folder, tgz = os.path.join(root, "cifar-10-batches-bin"), os.path.join(root, "cifar-10-binary.tar.gz")
    out, have = [], 0
    for i in range(1, 6):
        name = f"data_batch_{i}.bin"
        if os.path.isdir(folder):
            blob = open(os.path.join(folder, name), "rb").read()
        elif os.path.exists(tgz):
            with tarfile.open(tgz) as t:
                blob = t.extractfile(f"cifar-10-batches-bin/{name}").read()
        else:
            sys.exit(f"CIFAR-10 not found: neither {folder} nor {tgz}; set HEBB_DATA or run hebb data fetch cifar10")
        r = np.frombuffer(blob, dtype=np.uint8).reshape(-1, 3073)
        out.append(r[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0)
        have += r.shape[0]
        if have >= count:
            break
    return np.concatenate(out)[:count]


BUGS = ("masked-learning", "no-renormalize", "hood-without-2", "gamma-0", "unmasked-bmu")


def neighbourhood(rows, cols, sigma, dev, two=2.0):
    """Eq. 3 between every pair of a rows x cols grid's neurons: exp(-d^2 / (2 sigma^2)), BMU x neuron."""
    k = rows * cols
    r, c = torch.arange(k, device=dev) // cols, torch.arange(k, device=dev) % cols
    d2 = ((r[:, None] - r[None, :]) ** 2 + (c[:, None] - c[None, :]) ** 2).float()
    return torch.exp(-d2 / (two * sigma ** 2))


def update(w, m, imgs, hood, gamma, lr, mask_lr, kernel=3, padding=1, bug=None):
    """One step of the layer (input masks, eq. 12 through eq. 10, only the best map's BMU learns) on the images
    (B x C x H x W) from the weights and masks (maps x neurons x C*K*K); returns the new (w, m). `bug` makes one of the
    mistakes of BUGS, for the tests of `hebb check`."""
    assert bug is None or bug in BUGS, bug
    maps, n = w.shape[0], w.shape[2]
    w, m = w.clone(), m.clone()
    p = F.unfold(imgs, kernel, padding=padding).transpose(1, 2).reshape(-1, n)   # patches, channel-major like hebb's
    s = torch.einsum("qj,hij->hqi", p, w if bug == "unmasked-bmu" else m * w)  # eq. 7-8: scores per map
    best, bmu = s.max(dim=2)                                                # eq. 2 per map
    top = best.argmax(dim=0)                                                # the map whose BMU scores highest
    for h in range(maps):
        won = top == h
        g = hood[bmu[h]] * won[:, None]                                     # eq. 3, 0 for patches this map lost
        # eq. 12 through eq. 10, only the BMU's mask (eq. 14): y^_c o (p - gamma sum_k y^_k o m_k)
        c = bmu[h][won]
        pw = p[won]
        mod = pw - (0.0 if bug == "gamma-0" else gamma) * pw * (m[h] ** 2).sum(0)
        dm = torch.zeros_like(m[h]).index_add_(0, c, pw * m[h][c] * mod)
        learned = (g.T @ p) * m[h] if bug == "masked-learning" else g.T @ p
        wn = w[h] + lr * learned / p.shape[0]                               # eq. 6
        m[h] = m[h] + mask_lr * dm / p.shape[0]
        w[h] = wn if bug == "no-renormalize" else wn / wn.norm(dim=1, keepdim=True)   # eq. 5
    return w, m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--data", default=os.environ.get("HEBB_DATA", "data"))
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--grid", default="12x12x3")
    ap.add_argument("--sigma", type=float, default=1.0)
    ap.add_argument("--gamma", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--mask-lr", type=float, default=0.005)
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch's threads (default: every core, as hebb uses)")
    ap.add_argument("--check", help="a folder of inputs to step from and write the state to (see above)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rows, cols, maps = (int(v) for v in a.grid.split("x"))
    k = rows * cols
    dev = torch.device(a.device)
    torch.manual_seed(1)
    n = 27
    if a.check:
        imgs = np.load(os.path.join(a.check, "images.npy"))
        side = int(round((imgs.shape[1] / 3) ** 0.5))
        x = torch.from_numpy(imgs.reshape(-1, 3, side, side)).to(dev)
        w = torch.from_numpy(np.load(os.path.join(a.check, "w.npy")).reshape(maps, k, n)).to(dev)
        m = torch.from_numpy(np.load(os.path.join(a.check, "m.npy")).reshape(maps, k, n)).to(dev)
        a.steps, a.batch = x.shape[0], 1
    else:
        x = cifar_train(a.data, a.steps * a.batch)
        x = (x - x.mean()) / (x.std() + 1e-7)
        x = torch.from_numpy(x).to(dev)
        w = torch.rand(maps, k, n, device=dev) * 2 - 1
        m = torch.rand(maps, k, n, device=dev) * 2 - 1
    hood = neighbourhood(rows, cols, a.sigma, dev)

    def step(imgs):
        nonlocal w, m
        w, m = update(w, m, imgs, hood, a.gamma, a.lr, a.mask_lr)

    if a.check:
        for s in range(a.steps):
            step(x[s : s + 1])
        np.save(os.path.join(a.check, "w_out.npy"), w.reshape(maps * k, n).cpu().numpy())
        np.save(os.path.join(a.check, "m_out.npy"), m.reshape(maps * k, n).cpu().numpy())
        return
    step(x[: a.batch])  # warm-up
    if dev.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for s in range(a.steps):
        step(x[s * a.batch : (s + 1) * a.batch])
    if dev.type == "cuda":
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    print(f"{a.steps} steps: {dt:.3f} s, {a.steps * a.batch / dt:,.0f} images/s ({a.device}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, batch {a.batch}, {maps} maps of {rows}x{cols}; {blas_kernels.apply()})")


if __name__ == "__main__":
    main()
