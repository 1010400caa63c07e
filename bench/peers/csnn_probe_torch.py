#!/usr/bin/env python3
"""An independent check of `hebb eval RUN --probe mlp|linear` on kept features (`--features DIR`): CSNN's probes
(Stuhr & Brauer, section IV-B) written again in PyTorch as a Keras user writes them, apart from hebb's code. The
nonlinear probe is Dense 512 -> batch norm -> ELU -> dropout 0.5 -> Dense 256 -> batch norm -> ELU -> dropout 0.3 ->
Dense classes, softmax cross-entropy; the linear probe is the last Dense alone. Keras's defaults throughout:
Glorot-uniform weights, zero biases, batch norm epsilon 1e-3 and momentum 0.99, Adam (1e-3, 0.9, 0.999, epsilon
1e-7), batch 512, the training set shuffled every epoch. The test set is split at random into a validation and a
test half (a seeded NumPy permutation: not hebb's halves), both scored four times an epoch, and the test accuracy
reported is the one at the best validation accuracy (the pocket rule). If this and `hebb eval` differ by more than the
halves' noise (about 0.65 points each on 5,000 images), one of them is wrong, or the protocol differs.

    /usr/bin/python3 bench/peers/csnn_probe_torch.py FEATURES_DIR [--probe mlp|linear] [--epochs 20] [--batch 512]
        [--lr 0.001] [--evals-per-epoch 4] [--seed 1] [--threads 2] [--data DIR]

FEATURES_DIR holds `train-0.npy` and `test.npy` as `hebb eval --features` writes them (CIFAR-10's training and
test images in the dataset's order, float32 or half precision; the augmented copies, `train-k.npy`, are not read); the
labels are read from CIFAR-10 under $HEBB_DATA (or ./data).
"""
import argparse, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402
from conv_end_to_end import cifar10  # noqa: E402


def model(inputs, classes, probe):
    layers, width = [], inputs
    if probe == "mlp":
        for hidden, rate in ((512, 0.5), (256, 0.3)):
            layers += [torch.nn.Linear(width, hidden, bias=False),
                       torch.nn.BatchNorm1d(hidden, eps=1e-3, momentum=0.01),   # Keras's 0.99 is PyTorch's 0.01
                       torch.nn.ELU(), torch.nn.Dropout(rate)]
            width = hidden
    layers.append(torch.nn.Linear(width, classes))
    net = torch.nn.Sequential(*layers)
    for m in net:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                torch.nn.init.zeros_(m.bias)
    return net


def accuracy(net, x, y, chunk=2500):
    net.eval()
    with torch.no_grad():
        hits = sum(int((net(x[s:s + chunk]).argmax(1) == y[s:s + chunk]).sum()) for s in range(0, len(x), chunk))
    net.train()
    return 100.0 * hits / len(x)


def main():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("features")
    a.add_argument("--probe", choices=["mlp", "linear"], default="mlp")
    a.add_argument("--epochs", type=int, default=20)
    a.add_argument("--batch", type=int, default=512)
    a.add_argument("--lr", type=float, default=1e-3)
    a.add_argument("--evals-per-epoch", type=int, default=4)
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--threads", type=int, default=2)
    a.add_argument("--data", default=os.environ.get("HEBB_DATA", "data"))
    o = a.parse_args()
    torch.set_num_threads(o.threads)
    torch.manual_seed(o.seed)
    rng = np.random.default_rng(o.seed)

    xtr = torch.from_numpy(np.load(os.path.join(o.features, "train-0.npy")).astype(np.float32, copy=False))
    xte = torch.from_numpy(np.load(os.path.join(o.features, "test.npy")).astype(np.float32, copy=False))
    _, ytr, _, yte = cifar10(o.data)
    if len(xtr) != len(ytr) or len(xte) != len(yte):
        sys.exit(f"features hold {len(xtr)} training and {len(xte)} test rows; CIFAR-10 has {len(ytr)} and {len(yte)}")
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    order = torch.from_numpy(rng.permutation(len(xte)))
    half = len(xte) // 2
    xva, yva, xts, yts = xte[order[:half]], yte[order[:half]], xte[order[half:]], yte[order[half:]]

    net = model(xtr.shape[1], 10, o.probe)
    opt = torch.optim.Adam(net.parameters(), lr=o.lr, betas=(0.9, 0.999), eps=1e-7)
    steps_per_epoch = (len(xtr) + o.batch - 1) // o.batch
    every = max(1, steps_per_epoch // o.evals_per_epoch)
    best = (-1.0, 0.0, 0)
    step, start = 0, time.time()
    print(f"{o.probe} probe on {xtr.shape[1]:,} features: {len(xtr):,} training, {half:,} validation, "
          f"{len(xte) - half:,} test; evaluated every {every} steps", flush=True)
    for epoch in range(o.epochs):
        perm = torch.from_numpy(rng.permutation(len(xtr)))
        for s in range(0, len(xtr), o.batch):
            idx = perm[s:s + o.batch]
            loss = torch.nn.functional.cross_entropy(net(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % every == 0:
                va, ts = accuracy(net, xva, yva), accuracy(net, xts, yts)
                if va > best[0]:
                    best = (va, ts, step)
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, validation {va:.2f} %, test {ts:.2f} % "
              f"({time.time() - start:.0f} s)", flush=True)
    print(f"pocket: step {best[2]} (epoch {best[2] / steps_per_epoch:.2f}), validation {best[0]:.2f} %, "
          f"test {best[1]:.2f} %")


if __name__ == "__main__":
    main()
