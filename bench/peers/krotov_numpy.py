#!/usr/bin/env python3
"""The Krotov-Hopfield fast rule (section 3, eq. 2's update) written the way NumPy users write it, as an outside
implementation for `hebb check` to hold to the reference (bench/peers/check_replay.py runs it on a check case).

`step(...)` takes `bug=` to make one of the mistakes people make, so that the tests can show `hebb check compare`
catching and naming each: no-decay (eq. 2 without -<W, v> W), samples-ranked (the ranking over the wrong axis),
k-plus-one (the (k+1)-th unit pushed away), lr-first (the learning rate applied before the division by the largest
element), delta-sign (+Delta), no-metric (currents W v instead of sign(W)|W|^(p-1) v).
"""
import numpy as np

BUGS = ("no-decay", "samples-ranked", "k-plus-one", "lr-first", "delta-sign", "no-metric")


def step(w, v, lr, p, k, delta, r=1.0, variant="code", precision=1e-30, bug=None):
    """One step on the minibatch v (B x N) from w (K x N); returns the new w (float32 in, float32 arithmetic)."""
    assert bug is None or bug in BUGS, bug
    if bug == "no-metric":
        cur = w @ v.T                                            # K x B
    else:
        cur = (np.sign(w) * np.abs(w) ** (p - 1)) @ v.T          # K x B: <W_mu, v_b>
    g = np.zeros_like(cur)
    pushed = delta if bug == "delta-sign" else -delta
    if bug == "samples-ranked":
        order = np.argsort(-cur, axis=1, kind="stable")          # each unit's samples, strongest first (the wrong axis)
        rows = np.arange(cur.shape[0])
        g[rows, order[:, 0]] = 1.0
        g[rows, order[:, k - 1]] = pushed
    else:
        order = np.argsort(-cur, axis=0, kind="stable")          # each sample's units, strongest first; ties: lower index
        cols = np.arange(cur.shape[1])
        g[order[0], cols] = 1.0
        g[order[k if bug == "k-plus-one" else k - 1], cols] = pushed
    hebb = (r ** p) * (g @ v)                                    # sum_b g R^p v
    decay = 0.0 if bug == "no-decay" else (g * cur).sum(axis=1)[:, None] * w
    ds = hebb - decay
    if variant == "paper":
        return (w + (lr / v.shape[0]) * ds).astype(w.dtype)
    if bug == "lr-first":
        ds = lr * ds
        return (w + ds / max(np.abs(ds).max(), precision)).astype(w.dtype)
    return (w + lr * ds / max(np.abs(ds).max(), precision)).astype(w.dtype)
