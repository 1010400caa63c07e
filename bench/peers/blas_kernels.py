"""Import before NumPy: OpenBLAS's kernels for the peers, chosen as hebb's cpu backend chooses them
(src/Accelerated/Backends/Cpu/OpenBlasKernels.cs).

An OpenBLAS built with DYNAMIC_ARCH (Debian's) picks its kernels when it loads, from the CPU's model number, unless
OPENBLAS_CORETYPE names them. A model it does not know gets kernels without AVX: Debian 12's OpenBLAS 0.3.21 takes a
Xeon of family 6, model 207 (with AVX-512) for a Prescott, and its GEMMs run about 4x slower than with the SkylakeX
kernels that CPU runs. When OpenBLAS would pick kernels without AVX on a CPU with AVX2 and FMA, and the variable is
not set, this sets it (in the environment NumPy's OpenBLAS will read) to the best kernels the CPU's instructions run.
A choice with AVX is OpenBLAS's own and is kept. `apply()` returns what was done, for a peer's log.
"""
import ctypes
import os

WITHOUT_AVX = {n.lower() for n in ("Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn",
                                   "Dunnington", "Nehalem", "Athlon", "Opteron", "Opteron(SSE3)", "Barcelona", "Nano", "Bobcat")}
VARIABLE = "OPENBLAS_CORETYPE"


def best(flags):
    """The best OpenBLAS kernels for a CPU with these /proc/cpuinfo flags, or None."""
    if {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


def replacement(chose, user_setting, best_kernels):
    """The kernels to ask for, or None to keep OpenBLAS's choice (the rule of OpenBlasKernels.Replacement)."""
    if user_setting or chose is None or chose.lower() not in WITHOUT_AVX:
        return None
    return best_kernels


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _openblas_choice():
    """The kernels the system's OpenBLAS picks here by itself, or None where it cannot be asked."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        name = lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None
    try:
        import _ctypes
        _ctypes.dlclose(lib._handle)
    except (ImportError, OSError, AttributeError):
        pass
    return name


_note = None


def apply():
    """Sets OPENBLAS_CORETYPE where OpenBLAS would pick kernels without AVX on a CPU with AVX2; returns a note."""
    global _note
    if _note is None:
        user = os.environ.get(VARIABLE)
        chose = None if user else _openblas_choice()
        better = replacement(chose, user, best(_cpu_flags()))
        if better:
            os.environ[VARIABLE] = better
            _note = f"OpenBLAS: {better} kernels in place of its own choice for this CPU, {chose}"
        elif user:
            _note = f"OpenBLAS: {VARIABLE}={user}, as set"
        else:
            _note = f"OpenBLAS: its own choice, {chose}" if chose else "OpenBLAS: not asked (libopenblas.so.0 not found)"
    return _note


apply()
