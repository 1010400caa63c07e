/* Krotov & Hopfield (PNAS 2019), the fast rule of section 3 and the encoder of eq. 1.
   Reference: Hebb.Reference.Krotov (fastStep, fastUpdateSum, current) and TopLayer.encode. */

/* sign(w)|w|^(p-1), exact for p = 2, 3, 4 as on the cpu backend. */
#define SIGNED_POW(w, p) ((p) == 2.0f ? (w) : (p) == 3.0f ? (w) * FABSF(w) : (p) == 4.0f ? (w) * (w) * (w) : \
                          ((w) == 0.0f ? 0.0f : COPYSIGNF(POWF(FABSF(w), (p) - 1.0f), (w))))

KERNEL void krotov_pow(const int count, const float p, GLOBAL const float* W, GLOBAL float* Wp)
{
    const int i = GID(0);
    if (i >= count) return;
    const float w = W[i];
    Wp[i] = SIGNED_POW(w, p);
}

/* Per sample: the top-ranked unit and the k-th ranked (-1 if K < k); a later equal current never displaces
   an earlier one, so ties go to the lowest index. k <= 64. */
#define MAXK 64
KERNEL void krotov_rank(const int B, const int K, const int rankK, GLOBAL const float* I, GLOBAL int* win, GLOBAL int* lose)
{
    const int s = GID(0);
    if (s >= B) return;
    float tv[MAXK];
    int ti[MAXK];
    int filled = 0;
    for (int mu = 0; mu < K; mu++) {
        const float x = I[s * K + mu];
        if (filled == rankK && !(x > tv[rankK - 1])) continue;
        int pos = filled == rankK ? rankK - 1 : filled;
        while (pos > 0 && x > tv[pos - 1]) { tv[pos] = tv[pos - 1]; ti[pos] = ti[pos - 1]; pos--; }
        tv[pos] = x; ti[pos] = mu;
        if (filled < rankK) filled++;
    }
    win[s] = ti[0];
    lose[s] = filled == rankK ? ti[rankK - 1] : -1;
}

/* ds[t, i] = sum over the (sample b, g) entries of touched unit units[t], in sample order, of
   g (R^p v[b, i] - I[b, mu] W[mu, i]), computed as acc - xx W like the cpu backend. */
KERNEL void krotov_accumulate(const int U, const int N, const int K, const float rp,
                              GLOBAL const int* units, GLOBAL const int* start, GLOBAL const int* samples, GLOBAL const float* gs,
                              GLOBAL const float* V, GLOBAL const float* I, GLOBAL const float* W, GLOBAL float* ds)
{
    const int i = GID(0), t = GID(1);
    if (i >= N || t >= U) return;
    const int mu = units[t];
    float acc = 0.0f, xx = 0.0f;
    for (int e = start[t]; e < start[t + 1]; e++) {
        const int b = samples[e];
        const float g = gs[e];
        acc += g * rp * V[b * N + i];
        xx += g * I[b * K + mu];
    }
    ds[t * N + i] = acc - xx * W[mu * N + i];
}

/* out[0] = max |x|, one work-group of 256. */
KERNEL void max_abs(const int n, GLOBAL const float* x, GLOBAL float* out)
{
    LOCAL float s[256];
    const int l = LID(0);
    float m = 0.0f;
    for (int i = l; i < n; i += 256) m = FMAXF(m, FABSF(x[i]));
    s[l] = m;
    BARRIER();
    for (int w = 128; w > 0; w >>= 1) {
        if (l < w) s[l] = FMAXF(s[l], s[l + w]);
        BARRIER();
    }
    if (l == 0) out[0] = s[0];
}

/* W[mu, i] += scale ds[t, i] for the touched units, and Wp refreshed there. scale is lr / B (paper) or
   lr / max(max |ds|, precision) (authors' code). */
KERNEL void krotov_apply(const int U, const int N, const int paper, const float lrOverB, const float lr, const float precision, const float p,
                         GLOBAL const int* units, GLOBAL const float* ds, GLOBAL const float* maxAbs, GLOBAL float* W, GLOBAL float* Wp)
{
    const int i = GID(0), t = GID(1);
    if (i >= N || t >= U) return;
    const float scale = paper ? lrOverB : lr / FMAXF(maxAbs[0], precision);
    const int idx = units[t] * N + i;
    const float w = W[idx] + scale * ds[t * N + i];
    W[idx] = w;
    Wp[idx] = SIGNED_POW(w, p);
}

/* h = max(h, 0)^n (eq. 1). */
KERNEL void relu_pow(const int count, const float n, GLOBAL float* h)
{
    const int i = GID(0);
    if (i >= count) return;
    const float x = FMAXF(h[i], 0.0f);
    h[i] = n == 1.0f ? x : n == 2.0f ? x * x : POWF(x, n);
}
