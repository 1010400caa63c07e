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

/* Per unit mu: its entries in sample order, 2s for a sample s it wins (g = 1) and 2s + 1 for one where it is
   ranked rankK-th (g = -Delta), in list[mu * cap ..], and their number in count[mu] (cap = 2B). */
KERNEL void krotov_lists(const int B, const int K, const int cap, GLOBAL const int* win, GLOBAL const int* lose, GLOBAL int* count, GLOBAL int* list)
{
    const int mu = GID(0);
    if (mu >= K) return;
    int n = 0;
    for (int s = 0; s < B; s++) {
        if (win[s] == mu) list[mu * cap + n++] = 2 * s;
        if (lose[s] == mu) list[mu * cap + n++] = 2 * s + 1;
    }
    count[mu] = n;
}

/* Row mu of the update (work-groups of 64 along i): ds[mu, i] = sum over mu's entries (sample s, g), in sample
   order, of g (R^p v[s, i] - I[s, mu] W[mu, i]), computed as acc - xx W like the cpu backend. paper: W += lr/B ds
   and Wp refreshed here; authors' code: ds kept, and each work-group's max |ds| in partial[mu * groups + group]
   (0 for an untouched unit). */
KERNEL void krotov_rows(const int N, const int K, const int cap, const float rp, const float negDelta, const int paper,
                        const float lrOverB, const float p, GLOBAL const int* count, GLOBAL const int* list,
                        GLOBAL const float* V, GLOBAL const float* I, GLOBAL float* W, GLOBAL float* Wp, GLOBAL float* ds, GLOBAL float* partial)
{
    LOCAL float red[64];
    const int i = GID(0), mu = GROUP(1), l = LID(0), groups = (N + 63) / 64;
    const int n = count[mu];
    if (n == 0) {
        if (!paper && l == 0) partial[mu * groups + GROUP(0)] = 0.0f;
        return;
    }
    float d = 0.0f;
    if (i < N) {
        float acc = 0.0f, xx = 0.0f;
        for (int e = 0; e < n; e++) {
            const int entry = list[mu * cap + e], b = entry >> 1;
            const float g = (entry & 1) ? negDelta : 1.0f;
            acc += g * rp * V[b * N + i];
            xx += g * I[b * K + mu];
        }
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
                         GLOBAL const int* count, GLOBAL const float* ds, GLOBAL const float* maxAbs, GLOBAL float* W, GLOBAL float* Wp)
{
    const int i = GID(0), mu = GID(1);
    if (i >= N || mu >= K || count[mu] == 0) return;
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
