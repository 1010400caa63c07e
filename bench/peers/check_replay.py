#!/usr/bin/env python3
"""Runs an outside implementation on a `hebb check export` case and saves its state after every step, for
`hebb check compare`:

    python3 bench/peers/check_replay.py CASE_DIR OUT.npy [--impl numpy|torch] [--bug NAME]

krotov: --impl numpy (bench/peers/krotov_numpy.py, float32; --bug makes one of its mistakes) or torch
(bench/peers/krotov_torch.py's update, float32 on the CPU: the authors' code's variant only).
nnl-conv: --impl numpy (bench/peers/nnl_conv_numpy.py; --bug as it lists).
csnn: --impl torch (bench/peers/csnn_torch.py's update; input masks, eq. 12, the best map only; --bug as it lists;
OUT is a folder: weights.H.npy and masks.H.npy for each map H).
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
    w = np.load(os.path.join(a.case, "initial.weights.npy")).astype(np.float32) if case["rule"] != "csnn" else None
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
    elif case["rule"] == "csnn" and a.impl == "torch":
        import torch
        import csnn_torch
        if o["masks"] != "input" or o["rule"] != "12" or o["all_bmus"] or o["mask_nh"] or o["stride"] != 1:
            sys.exit("check_replay: the torch CSNN peer does input masks, eq. 12, the best map only, no NH, stride 1")
        maps = o["maps"]
        w = torch.from_numpy(np.stack([np.load(os.path.join(a.case, f"initial.weights.{h}.npy")) for h in range(maps)]))
        m = torch.from_numpy(np.stack([np.load(os.path.join(a.case, f"initial.masks.{h}.npy")) for h in range(maps)]))
        two = 1.0 if a.bug == "hood-without-2" else 2.0
        hood = csnn_torch.neighbourhood(o["grid_rows"], o["grid_cols"], o["sigma"], w.device, two)
        bug = None if a.bug == "hood-without-2" else a.bug
        for t, s in enumerate(case["schedule"]):
            w, m = csnn_torch.update(w, m, torch.from_numpy(x[t]), hood, o["gamma"], s["lr"], s["mask_lr"], o["kernel"], o["padding"], bug)
            states.append((w.numpy().copy(), m.numpy().copy()))
        os.makedirs(a.out, exist_ok=True)
        for h in range(maps):
            np.save(os.path.join(a.out, f"weights.{h}.npy"), np.stack([st[0][h] for st in states]))
            np.save(os.path.join(a.out, f"masks.{h}.npy"), np.stack([st[1][h] for st in states]))
        print(f"{len(states)} steps of csnn (torch{', bug ' + a.bug if a.bug else ''}) -> {a.out}/")
        return
    else:
        sys.exit(f"check_replay: no {a.impl} implementation of {case['rule']}")
    np.save(a.out, np.stack(states))
    print(f"{len(states)} steps of {case['rule']} ({a.impl}{', bug ' + a.bug if a.bug else ''}) -> {a.out}")


if __name__ == "__main__":
    main()
