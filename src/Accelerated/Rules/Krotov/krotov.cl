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

/* Per sample (one work-group of RANK_T work-items each): the top-ranked unit and the rankK-th ranked (-1 if
   K < rankK), ranked by current, then by index: ties go to the lowest index. Round r finds, among the units
   ranked after round r - 1's pick, the first in that order: each work-item scans a strided share of the row
   (coalesced), then a tree reduction in local memory. A NaN current ranks below every number. */
#define RANK_T 128
#define RANK_BEFORE(v, i, bv, bi) ((bi) < 0 || (v) > (bv) || ((v) == (bv) && (i) < (bi)))
KERNEL void krotov_rank(const int B, const int K, const int rankK, GLOBAL const float* I, GLOBAL int* win, GLOBAL int* lose)
{
    LOCAL float sv[RANK_T];
    LOCAL int si[RANK_T];
    const int s = GROUP(0), l = LID(0);
    if (s >= B) return;
    float pv = 0.0f;
    int pi = -1;
    for (int r = 0; r < rankK; r++) {
        float bv = 0.0f;
        int bi = -1;
        for (int mu = l; mu < K; mu += RANK_T) {
            float x = I[s * K + mu];
            if (x != x) x = -3.40282347e38f;
            if (pi >= 0 && !(x < pv || (x == pv && mu > pi))) continue;
            if (RANK_BEFORE(x, mu, bv, bi)) { bv = x; bi = mu; }
        }
        sv[l] = bv; si[l] = bi;
        BARRIER();
        for (int w = RANK_T / 2; w > 0; w >>= 1) {
            if (l < w && si[l + w] >= 0 && RANK_BEFORE(sv[l + w], si[l + w], sv[l], si[l])) { sv[l] = sv[l + w]; si[l] = si[l + w]; }
            BARRIER();
        }
        pv = sv[0]; pi = si[0];
        BARRIER();
        if (l == 0) {
            if (r == 0) win[s] = pi;
            if (r == rankK - 1 || pi < 0) lose[s] = pi;
        }
        if (pi < 0) break;
    }
}

/* Row mu of the update (work-groups of 64 along i): ds[mu, i] = sum over the samples s that mu wins (g = 1) or where
   it is ranked rankK-th (g = -Delta), in sample order (a winner before a k-th), of g (R^p v[s, i] - I[s, mu] W[mu, i]),
   computed as acc - xx W like the cpu backend. The work-group reads the ranks 64 samples at a time into local memory
   and every work-item walks them in order. paper: W += lr/B ds and Wp refreshed here; authors' code: ds kept, and
   each work-group's max |ds| in partial[mu * groups + group]. touched[mu]: whether any sample chose mu (0: the row is
   left alone). */
KERNEL void krotov_rows(const int B, const int N, const int K, const float rp, const float negDelta, const int paper,
                        const float lrOverB, const float p, GLOBAL const int* win, GLOBAL const int* lose,
                        GLOBAL const float* V, GLOBAL const float* I, GLOBAL float* W, GLOBAL float* Wp, GLOBAL float* ds,
                        GLOBAL float* partial, GLOBAL int* touched)
{
    LOCAL int flags[64];
    LOCAL int any;
    LOCAL float red[64];
    const int i = GID(0), mu = GROUP(1), l = LID(0), groups = (N + 63) / 64;
    if (l == 0) any = 0;
    BARRIER();
    float acc = 0.0f, xx = 0.0f;
    for (int base = 0; base < B; base += 64) {
        const int s = base + l;
        const int f = s < B ? (win[s] == mu ? 1 : 0) | (lose[s] == mu ? 2 : 0) : 0;
        flags[l] = f;
        if (f != 0) any = 1;
        BARRIER();
        const int n = B - base < 64 ? B - base : 64;
        if (i < N)
            for (int j = 0; j < n; j++) {
                const int fj = flags[j];
                if (fj == 0) continue;
                const int b = base + j;
                if (fj & 1) { acc += 1.0f * rp * V[b * N + i]; xx += 1.0f * I[b * K + mu]; }
                if (fj & 2) { acc += negDelta * rp * V[b * N + i]; xx += negDelta * I[b * K + mu]; }
            }
        BARRIER();
    }
    if (l == 0 && GROUP(0) == 0) touched[mu] = any;
    if (any == 0) {
        if (!paper && l == 0) partial[mu * groups + GROUP(0)] = 0.0f;
        return;
    }
    float d = 0.0f;
    if (i < N) {
        d = acc - xx * W[mu * N + i];
        if (paper) {
            const float w = W[mu * N + i] + lrOverB * d;
            W[mu * N + i] = w;
            Wp[mu * N + i] = SIGNED_POW(w, p);
        }
        else ds[mu * N + i] = d;
    }
    if (paper) return;
    red[l] = FABSF(d);
    BARRIER();
    for (int w = 32; w > 0; w >>= 1) {
        if (l < w) red[l] = FMAXF(red[l], red[l + w]);
        BARRIER();
    }
    if (l == 0) partial[mu * groups + GROUP(0)] = red[0];
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

/* Authors' code: W[mu, i] += lr / max(max |ds|, precision) ds[mu, i] for the touched units, and Wp refreshed. */
KERNEL void krotov_apply(const int N, const int K, const float lr, const float precision, const float p,
                         GLOBAL const int* touched, GLOBAL const float* ds, GLOBAL const float* maxAbs, GLOBAL float* W, GLOBAL float* Wp)
{
    const int i = GID(0), mu = GID(1);
    if (i >= N || mu >= K || touched[mu] == 0) return;
    const float scale = lr / FMAXF(maxAbs[0], precision);
    const float w = W[mu * N + i] + scale * ds[mu * N + i];
    W[mu * N + i] = w;
    Wp[mu * N + i] = SIGNED_POW(w, p);
}

/* h = max(h, 0)^n (eq. 1). */
KERNEL void relu_pow(const int count, const float n, GLOBAL float* h)
{
    const int i = GID(0);
    if (i >= count) return;
    const float x = FMAXF(h[i], 0.0f);
    h[i] = n == 1.0f ? x : n == 2.0f ? x * x : POWF(x, n);
}
