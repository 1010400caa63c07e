#!/usr/bin/env python3
"""NNL-CONV's local rule (Grinberg, Hopfield & Krotov 2019, eq. 1-2: Krotov & Hopfield's fast rule with p = 2 on unit
image patches) written in NumPy, as an outside implementation for `hebb check` (bench/peers/check_replay.py runs it).

`step(..., bug=)` makes a mistake people make, so that the tests show `hebb check compare nnl-conv` naming it:
no-normalize (raw patches, not unit vectors), hwc (patch vectors flattened height-width-channel while the filters are
channel-major), and every mistake of krotov_numpy.BUGS in the rule itself.
"""
import numpy as np
import krotov_numpy

BUGS = ("no-normalize", "hwc") + krotov_numpy.BUGS


def patches(images, window, layout="chw"):
    """Every window x window patch (stride 1, no padding) of images (B x C x H x W): (B * positions) x (C * window^2),
    image by image, positions row by row; each patch channel-major (c, dy, dx), or (dy, dx, c) with layout 'hwc'."""
    b, c, h, w = images.shape
    oh, ow = h - window + 1, w - window + 1
    out = np.empty((b, oh, ow, c, window, window), dtype=images.dtype)
    for dy in range(window):
        for dx in range(window):
            out[:, :, :, :, dy, dx] = images[:, :, dy:dy + oh, dx:dx + ow].transpose(0, 2, 3, 1)
    if layout == "hwc":
        out = out.transpose(0, 1, 2, 4, 5, 3)
    return np.ascontiguousarray(out).reshape(b * oh * ow, -1)


def step(w, images, lr, o, bug=None):
    """One step on the patches of images (B x C x H x W) from the filters w (K x C*W*W); returns the new w."""
    assert bug is None or bug in BUGS, bug
    v = patches(images, o["window"], "hwc" if bug == "hwc" else "chw")
    if o["normalize_patches"] and bug != "no-normalize":
        norms = np.sqrt((v * v).sum(axis=1, keepdims=True))
        v = v / np.where(norms > 0, norms, 1)
    rule_bug = bug if bug in krotov_numpy.BUGS else None
    return krotov_numpy.step(w, v, lr, 2.0, o["m"], o["delta"], 1.0, o["variant"], o["precision"], rule_bug)
