#!/usr/bin/env python3
"""Hostile and careless inputs against `hebb`, each classified by what happened (issue 33's count, docs/RELIABILITY.md):

    python3 scripts/reliability_sweep.py [HEBB_DLL]     (default: src/Cli/bin/Release/net10.0/hebb.dll)

refused  exit 2 (command line), 3 (data), 4 (diverged), 5 (I/O) or 130 (stopped) with one "hebb: ..." line and no stack trace
unclear  refused as above, but the message speaks .NET (a parameter name, "Index was out of range") instead of naming
         the option, file or variable
crashed  a stack trace, an internal error (exit 70) or a signal
noted    exit 0 with a "hebb: note: ..." saying what is unusual about data it still read
silent   exit 0 where the input should have been refused or noted
lost     an earlier run's or evaluation's files changed by a later command that did not finish
ok       exit 0 where the input is valid (a control), or, for a killed run, the earlier run intact
Prints one line per case and the table; exit code 1 if any case crashed, was unclear or silent, or lost data.
"""
import gzip, json, os, shutil, signal, struct, subprocess, sys, tempfile, time

HEBB = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "src/Cli/bin/Release/net10.0/hebb.dll")
W = tempfile.mkdtemp(prefix="hebb-sweep-")
ENV = dict(os.environ, HEBB_DATA="", HEBB_BACKEND="")


def hebb(*args, env=None, timeout=300):
    p = subprocess.run(["dotnet", HEBB, *args], cwd=W, capture_output=True, text=True, env=dict(ENV, **(env or {})), timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def idx_images(n, h=28, w=28, magic=0x803):
    return struct.pack(">IIII", magic, n, h, w) + bytes((i * 7) % 256 for i in range(n * h * w))


def idx_labels(n, magic=0x801, bad=False):
    return struct.pack(">II", magic, n) + bytes(((i % 10) + (10 if bad else 0)) for i in range(n))


def mnist(root, images=None, labels=None, n=60, test=20):
    d = os.path.join(root, "mnist")
    os.makedirs(d, exist_ok=True)
    for prefix, count in (("train", n), ("t10k", test)):
        with open(os.path.join(d, f"{prefix}-images-idx3-ubyte.gz"), "wb") as f:
            f.write(gzip.compress(images if images is not None and prefix == "train" else idx_images(count)))
        with open(os.path.join(d, f"{prefix}-labels-idx1-ubyte.gz"), "wb") as f:
            f.write(gzip.compress(labels if labels is not None and prefix == "train" else idx_labels(count)))
    return root


def cifar(root, per=8, break_batch=None, short_batch=None):
    d = os.path.join(root, "cifar-10-batches-bin")
    os.makedirs(d, exist_ok=True)
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        blob = b"".join(bytes([r % 10]) + bytes((r + i) % 256 for i in range(3072)) for r in range(per))
        if name == break_batch:
            blob = blob[:-100]
        if name == short_batch:
            blob = blob[: 3073 * (per // 2)]
        with open(os.path.join(d, name), "wb") as f:
            f.write(blob)
    return root


def npy(path, header, data=b"\0" * 240):
    head = header.encode()
    head += b" " * ((64 - (10 + len(head) + 1) % 64) % 64) + b"\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head + data)
    return path


def folder(name):
    p = os.path.join(W, name)
    os.makedirs(p, exist_ok=True)
    return p


def snapshot(d):
    out = {}
    for base, _, files in os.walk(d):
        for f in files:
            with open(os.path.join(base, f), "rb") as fh:
                out[os.path.relpath(os.path.join(base, f), d)] = fh.read()
    return out


results = []

# What a message meant for a user must not carry: .NET's own wording in place of the option, file or variable.
UNCLEAR = ["(Parameter '", "Index was out of range", "Object reference not set", "Exception", "Specified argument", "Value cannot be null"]


def classify(name, code, err, valid=False, lost=False):
    trace = "\n   at " in err or "Unhandled exception" in err
    if trace or code in (70, 134, 139) or code < 0:
        kind = "crashed"
    elif lost:
        kind = "lost"
    elif code == 0:
        kind = "ok" if valid else "noted" if "hebb: note: " in err else "silent"
    elif code in (2, 3, 4, 5, 130) and err.strip().startswith("hebb: "):
        kind = "refused" if not valid else "refused (a valid input!)"
        if kind == "refused" and any(s in err for s in UNCLEAR):
            kind = "unclear"
    else:
        kind = "crashed"
    first = err.strip().splitlines()[-1] if err.strip() else ""
    results.append((name, kind, code, first))
    print(f"{kind:8} {code:4}  {name}: {first[:150]}")


def case(name, *args, valid=False, env=None):
    code, _, err = hebb(*args, env=env)
    classify(name, code, err, valid)


def main():
    good = mnist(folder("good"))
    run = os.path.join(W, "run")
    # Controls
    case("a valid training run", "train", "krotov", "--data", good, "--units", "10", "--epochs", "2", "--out", run, valid=True)
    case("a valid top layer", "eval", run, "--data", good, "--epochs", "2", valid=True)
    case("the top layer at --lr 1e30", "eval", run, "--data", good, "--epochs", "2", "--lr", "1e30")
    case("a linear probe at --lr 1000 (its loss finite)", "eval", run, "--data", good, "--probe", "linear", "--epochs", "5", "--lr", "1000")
    # Data
    case("IDX truncated", "train", "krotov", "--data", mnist(folder("d1"), images=idx_images(60)[:-500]), "--out", os.path.join(W, "x"))
    case("IDX that says 0 images", "train", "krotov", "--data", mnist(folder("d2"), images=idx_images(0), labels=idx_labels(0)), "--out", os.path.join(W, "x"))
    case("IDX declaring 2^31 - 1 images", "train", "krotov", "--data", mnist(folder("d3"), images=struct.pack(">IIII", 0x803, 2**31 - 1, 28, 28) + b"\0" * 1000), "--out", os.path.join(W, "x"))
    case("IDX with a wrong magic", "train", "krotov", "--data", mnist(folder("d4"), images=idx_images(60, magic=0x802)), "--out", os.path.join(W, "x"))
    case("IDX labels above 9", "train", "krotov", "--data", mnist(folder("d5"), labels=idx_labels(60, bad=True)), "--out", os.path.join(W, "x"))
    case("IDX labels fewer than images", "train", "krotov", "--data", mnist(folder("d6"), labels=idx_labels(59)), "--out", os.path.join(W, "x"))
    d7 = mnist(folder("d7"))
    with open(os.path.join(d7, "mnist", "train-images-idx3-ubyte.gz"), "wb") as f:
        f.write(b"this is not gzip")
    case("IDX that is not gzip", "train", "krotov", "--data", d7, "--out", os.path.join(W, "x"))
    case("IDX with bytes past its header's", "train", "krotov", "--data", mnist(folder("d8"), images=idx_images(60) + b"\1" * 100), "--out", os.path.join(W, "x"))
    case("CIFAR batch short by part of a record", "train", "nnl-conv", "--data", cifar(folder("c1"), break_batch="data_batch_3.bin"), "--out", os.path.join(W, "x"))
    case("CIFAR batch short by whole records", "train", "nnl-conv", "--data", cifar(folder("c5"), short_batch="data_batch_3.bin"), "--filters", "4", "--epochs", "1", "--out", os.path.join(W, "x5"))
    c2 = cifar(folder("c2"))
    os.remove(os.path.join(c2, "cifar-10-batches-bin", "data_batch_5.bin"))
    case("CIFAR folder without a batch", "train", "nnl-conv", "--data", c2, "--out", os.path.join(W, "x"))
    c3 = cifar(folder("c3"))
    with open(os.path.join(c3, "cifar-10-batches-bin", "data_batch_2.bin"), "r+b") as f:
        f.truncate(100_001 * 3073)   # sparse: 307 MB declared, nothing read
    case("CIFAR batch of 100,001 records (307 MB)", "train", "nnl-conv", "--data", c3, "--out", os.path.join(W, "x"))
    c4 = folder("c4")
    with open(os.path.join(c4, "cifar-10-binary.tar.gz"), "wb") as f:
        f.write(gzip.compress(b"not a tar" * 100)[:50])
    case("CIFAR archive truncated", "train", "nnl-conv", "--data", c4, "--out", os.path.join(W, "x"))
    case("missing dataset", "train", "krotov", "--data", folder("empty"), "--out", os.path.join(W, "x"))
    # .npy (--init)
    f4 = "'descr': '<f4', 'fortran_order': False, "
    for label, header, data in [
        ("npy with dtype <i4", "{'descr': '<i4', 'fortran_order': False, 'shape': (10, 784), }", b"\0" * 31360),
        ("npy in Fortran order (no space)", "{'descr': '<f4', 'fortran_order':True, 'shape': (10, 784), }", b"\0" * 31360),
        ("npy with two descr keys", "{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (10, 784), }", b"\0" * 31360),
        ("npy whose shape overflows", "{" + f4 + "'shape': (99999999999999999999999, 784), }", b"\0" * 16),
        ("npy truncated", "{" + f4 + "'shape': (10, 784), }", b"\0" * 1000),
        ("npy of the wrong shape", "{" + f4 + "'shape': (11, 784), }", b"\0" * 11 * 784 * 4),
        ("npy holding NaN", "{" + f4 + "'shape': (10, 784), }", struct.pack("<f", float("nan")) * 7840),
        ("npy with a broken header", "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 784) ", b"\0" * 31360),
    ]:
        case(label + " as --init", "train", "krotov", "--data", good, "--units", "10", "--epochs", "1", "--init", npy(os.path.join(W, "w.npy"), header, data), "--out", os.path.join(W, "x"))
    # Command line
    for label, args in [
        ("an unknown option", ["train", "krotov", "--colour", "red"]),
        ("an option without its value", ["train", "krotov", "--epochs"]),
        ("a value that is not a number", ["train", "krotov", "--epochs", "many"]),
        ("--epochs true (a flag's value for a number)", ["train", "krotov", "--epochs", "true"]),
        ("--batch 0", ["train", "krotov", "--batch", "0"]),
        ("--units 0", ["train", "krotov", "--units", "0"]),
        ("--units 3,000,000 (past one array)", ["train", "krotov", "--units", "3000000"]),
        ("--k above --units", ["train", "krotov", "--units", "5", "--k", "9"]),
        ("--p 100 (float32 currents overflow)", ["train", "krotov", "--p", "100"]),
        ("--lr 0", ["train", "krotov", "--lr", "0"]),
        ("--lr NaN", ["train", "krotov", "--lr", "NaN"]),
        ("--backend bogus", ["train", "krotov", "--backend", "bogus"]),
        ("--device on the cpu backend", ["train", "krotov", "--backend", "cpu", "--device", "0"]),
        ("--out is a file", ["train", "krotov", "--out", os.path.join(good, "mnist", "t10k-labels-idx1-ubyte.gz")]),
        ("--out below a file", ["train", "krotov", "--out", os.path.join(good, "mnist", "t10k-labels-idx1-ubyte.gz", "r")]),
        ("--out unwritable", ["train", "krotov", "--out", "/proc/hebb-run"]),
        ("--resume with nothing to resume", ["train", "krotov", "--out", os.path.join(W, "never"), "--resume"]),
        ("eval on a folder that is not a run", ["eval", folder("notarun")]),
        ("eval raw on a dataset with no image", ["eval", "raw", "--dataset", "mnist", "--probe", "linear", "--data", mnist(folder("e0"), images=idx_images(0), labels=idx_labels(0))]),
        ("reproduce an unknown preset", ["reproduce", "nothing-like-it"]),
        ("reproduce with a missing presets folder", ["reproduce", "--presets", "/nonexistent"]),
        ("data fetch an unknown dataset", ["data", "fetch", "imagenet"]),
        ("data fetch with --data at a file", ["data", "fetch", "mnist", "--data", os.path.join(good, "mnist", "t10k-labels-idx1-ubyte.gz"), "--url", "http://127.0.0.1:9/"]),
        ("data fetch with an unreachable --url", ["data", "fetch", "mnist", "--data", folder("fetch"), "--url", "http://127.0.0.1:9/"]),
        ("data fetch with a relative --url", ["data", "fetch", "mnist", "--url", "mirror/mnist"]),
        ("check export an unknown rule", ["check", "export", "hopfield", "--out", os.path.join(W, "c")]),
        ("rules of an unknown rule", ["rules", "urlsom"]),
        ("verify an unknown rule", ["verify", "--rule", "urlsom"]),
        ("bench an unknown bench", ["bench", "nothing"]),
        ("an unknown command", ["frobnicate"]),
    ]:
        if args[0] == "train":
            args = args + ["--data", good] + ([] if "--out" in args else ["--out", os.path.join(W, "x")])
        case(label, *args)
    case("HEBB_BACKEND=gpu", "train", "krotov", "--data", good, "--out", os.path.join(W, "x"), env={"HEBB_BACKEND": "gpu"})
    # hebb check with broken states
    code, _, err = hebb("check", "export", "krotov", "--out", os.path.join(W, "case"), "--units", "5", "--inputs", "6", "--steps", "3", "--batch", "2", "--k", "2")
    classify("check export (control)", code, err, valid=True)
    case("check compare with NaN states", "check", "compare", "krotov", os.path.join(W, "case"),
         npy(os.path.join(W, "s.npy"), "{" + f4 + "'shape': (3, 5, 6), }", struct.pack("<f", float("nan")) * 90))
    case("check compare with too few steps", "check", "compare", "krotov", os.path.join(W, "case"),
         npy(os.path.join(W, "s2.npy"), "{" + f4 + "'shape': (2, 5, 6), }", b"\0" * 240))
    # Lost data: the earlier run and the earlier evaluation must survive what follows.
    before = snapshot(run)
    code, _, err = hebb("train", "krotov", "--data", good, "--units", "10", "--epochs", "3", "--lr", "1e30", "--out", run)
    classify("a diverging run over an earlier one", code, err, lost=snapshot(run) != before)
    code, _, err = hebb("train", "krotov", "--data", good, "--units", "10", "--init", os.path.join(W, "w.npy"), "--out", run)
    classify("a refused --init over an earlier run", code, err, lost=snapshot(run) != before)
    code, _, err = hebb("eval", run, "--data", good, "--epochs", "1", "--n", "0.5")
    classify("a refused eval over an earlier eval", code, err, lost=snapshot(run) != before)
    p = subprocess.Popen(["dotnet", HEBB, "train", "krotov", "--data", good, "--units", "10", "--epochs", "100000", "--out", run], cwd=W,
                         env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=60)[1]
    classify("Ctrl-C during a run over an earlier one", p.returncode, err, lost=snapshot(run) != before)
    p = subprocess.Popen(["dotnet", HEBB, "train", "krotov", "--data", good, "--units", "10", "--epochs", "100000", "--out", run], cwd=W,
                         env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    p.kill()
    p.communicate(timeout=60)
    lost = snapshot(run) != before
    results.append(("SIGKILL during a run over an earlier one", "lost" if lost else "ok", -9, "the earlier run is " + ("changed" if lost else "intact")))
    print(f"{results[-1][1]:8}   -9  {results[-1][0]}: {results[-1][3]}")
    code, _, err = hebb("train", "krotov", "--data", good, "--units", "10", "--epochs", "100000", "--out", run, "--resume", "--epochs", "3")
    classify("--resume with other options than the killed run's", code, err, lost=snapshot(run) != before)
    leftovers = [f for b, _, fs in os.walk(W) for f in fs if f.endswith(".tmp")]
    results.append(("temporary files left by killed runs, after the next run", "lost" if leftovers else "ok", 0, ", ".join(leftovers) or "none"))

    kinds = ["refused", "unclear", "noted", "ok", "crashed", "silent", "lost"]
    print(f"\n{len(results)} cases: " + ", ".join(f"{k} {sum(1 for r in results if r[1] == k)}" for k in kinds))
    shutil.rmtree(W, ignore_errors=True)
    sys.exit(1 if any(r[1] in ("crashed", "unclear", "silent", "lost") or r[1].startswith("refused (") for r in results) else 0)


if __name__ == "__main__":
    main()
