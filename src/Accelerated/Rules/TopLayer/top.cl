/* Krotov & Hopfield's top layer (eq. 1, appendix B) and Adam. Reference: Hebb.Reference.TopLayer. */

KERNEL void tanh_inplace(const int count, GLOBAL float* z)
{
    const int i = GID(0);
    if (i < count) z[i] = TANHF(z[i]);
}

/* For each sample s: loss[s] = sum_a |c - t|^m and dz = m |c - t|^(m-1) sign(c - t) (1 - c^2), t = +1 for the label, else -1. */
KERNEL void top_loss_dz(const int B, const int C, const float m, GLOBAL const float* c, GLOBAL const int* labels,
                        GLOBAL float* dz, GLOBAL float* loss)
{
    const int s = GID(0);
    if (s >= B) return;
    float total = 0.0f;
    for (int a = 0; a < C; a++) {
        const float ca = c[s * C + a];
        const float d = ca - (a == labels[s] ? 1.0f : -1.0f);
        const float ad = FABSF(d);
        const float pm1 = POWF(ad, m - 1.0f);
        total += pm1 * ad;
        dz[s * C + a] = m * pm1 * (d > 0.0f ? 1.0f : d < 0.0f ? -1.0f : 0.0f) * (1.0f - ca * ca);
    }
    loss[s] = total;
}

/* Adam (Kingma & Ba, algorithm 1), c1 = 1 - b1^t, c2 = 1 - b2^t. */
KERNEL void adam(const int count, const float b1, const float b2, const float c1, const float c2, const float lr, const float eps,
                 GLOBAL float* theta, GLOBAL const float* g, GLOBAL float* m, GLOBAL float* v)
{
    const int i = GID(0);
    if (i >= count) return;
    const float gi = g[i];
    const float mi = b1 * m[i] + (1.0f - b1) * gi;
    const float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    theta[i] -= lr * (mi / c1) / (SQRTF(vi / c2) + eps);
}
