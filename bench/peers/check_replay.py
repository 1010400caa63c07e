#!/usr/bin/env python3
"""Runs an outside implementation on a `hebb check export` case and saves its state after every step, for
`hebb check compare`:

    python3 bench/peers/check_replay.py CASE_DIR OUT.npy [--impl numpy|torch] [--bug NAME]

krotov: --impl numpy (bench/peers/krotov_numpy.py, float32; --bug makes one of its mistakes) or torch
(bench/peers/krotov_torch.py's update, float32 on the CPU: the authors' code's variant only).
nnl-conv: --impl numpy (bench/peers/nnl_conv_numpy.py; --bug as it lists).
"""
import argparse, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("out")
    ap.add_argument("--impl", default="numpy", choices=["numpy", "torch"])
    ap.add_argument("--bug", default=None, help="one of the implementation's mistakes (krotov_numpy.BUGS, nnl_conv_numpy.BUGS) or constant-lr")
    a = ap.parse_args()
    with open(os.path.join(a.case, "case.json")) as f:
        case = json.load(f)
    o = case["options"]
    w = np.load(os.path.join(a.case, "initial.weights.npy")).astype(np.float32)
    x = np.load(os.path.join(a.case, "inputs.npy")).astype(np.float32)
    lrs = [s["lr"] for s in case["schedule"]]
    if a.bug == "constant-lr":      # a schedule mistake any implementation can make: lr0 at every step
        lrs, a.bug = [lrs[0]] * len(lrs), None
    states = []
    if case["rule"] == "krotov" and a.impl == "numpy":
        import krotov_numpy
        for t, lr in enumerate(lrs):
            w = krotov_numpy.step(w, x[t], np.float32(lr), o["p"], o["k"], o["delta"], o["r"], o["variant"], o["precision"], a.bug)
            states.append(w)
    elif case["rule"] == "krotov" and a.impl == "torch":
        import torch
        import krotov_torch
        assert a.bug is None, "--bug is the NumPy port's"
        wt = torch.from_numpy(w)
        for t, lr in enumerate(lrs):
            wt = krotov_torch.update(wt, torch.from_numpy(x[t]), lr, o["p"], o["k"], o["delta"], o["precision"])
            states.append(wt.numpy().copy())
    elif case["rule"] == "nnl-conv" and a.impl == "numpy":
        import nnl_conv_numpy
        for t, lr in enumerate(lrs):
            w = nnl_conv_numpy.step(w, x[t], np.float32(lr), o, a.bug)
            states.append(w)
    else:
        sys.exit(f"check_replay: no {a.impl} implementation of {case['rule']}")
    np.save(a.out, np.stack(states))
    print(f"{len(states)} steps of {case['rule']} ({a.impl}{', bug ' + a.bug if a.bug else ''}) -> {a.out}")


if __name__ == "__main__":
    main()
