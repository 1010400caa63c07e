/* CSNN's masked multi-head sconv layer (Stuhr & Brauer, section III). Reference: Hebb.Reference.Csnn. The patches
   come from im2col (nnl-conv.cl), the products from the device's GEMM, the rows' norms from normalize_rows. */

/* Eq. 7-9: E = m o w for each neuron (a mask between layers repeated over the kernel's k2 positions). */
KERNEL void csnn_effective(const int k, const int n, const int ms, const int k2, const int between, const int codePairing,
                           GLOBAL const float* W, GLOBAL const float* M, GLOBAL float* E)
{
    const int x = GID(0);
    if (x >= k * n) return;
    const int i = x / n, j = x % n;
    /* The authors' code's pairing of eq. 9: element j meets the weight of position j / C, channel j % C. */
    const float w = codePairing ? W[i * n + (j % ms) * k2 + j / ms] : W[x];
    E[x] = w * M[i * ms + (between ? j / k2 : j)];
}

/* Eq. 2 for map h: each patch's best neuron (ties: the lowest) and its score. */
KERNEL void csnn_bmu(const int rows, const int k, const int h, const int maps, GLOBAL const float* S,
                     GLOBAL int* bmus, GLOBAL float* best)
{
    const int q = GID(0);
    if (q >= rows) return;
    int c = 0;
    for (int i = 1; i < k; i++) if (S[q * k + i] > S[q * k + c]) c = i;
    bmus[q * maps + h] = c;
    best[q * maps + h] = S[q * k + c];
}

/* Section III-E: unless every map learns (D-BMU), only the map whose BMU scores highest (ties: the lowest map) keeps
   its BMU; the others get -1. */
KERNEL void csnn_winner(const int rows, const int maps, GLOBAL int* bmus, GLOBAL const float* best)
{
    const int q = GID(0);
    if (q >= rows) return;
    int top = 0;
    for (int h = 1; h < maps; h++) if (best[q * maps + h] > best[q * maps + top]) top = h;
    for (int h = 0; h < maps; h++) if (h != top) bmus[q * maps + h] = -1;
}

/* Eq. 3 for map h: G = the neighbourhood h of each neuron to the patch's BMU (0 where the map does not learn from the
   patch), and I = the mask update's weights: the BMU indicator, or G with the NH option. */
KERNEL void csnn_coefficients(const int rows, const int k, const int cols, const float sigma, const int nh, const int h,
                              const int maps, GLOBAL const int* bmus, GLOBAL float* G, GLOBAL float* I)
{
    const int x = GID(0);
    if (x >= rows * k) return;
    const int q = x / k, i = x % k, c = bmus[q * maps + h];
    if (c < 0) { G[x] = 0.0f; I[x] = 0.0f; return; }
    const float dr = (float)(c / cols - i / cols), dc = (float)(c % cols - i % cols);
    const float g = EXPF(-(dr * dr + dc * dc) / (2.0f * sigma * sigma));
    G[x] = g;
    I[x] = nh ? g : (i == c ? 1.0f : 0.0f);
}

/* y = x * x, elementwise. */
KERNEL void csnn_square(const int count, GLOBAL const float* x, GLOBAL float* y)
{
    const int t = GID(0);
    if (t < count) y[t] = x[t] * x[t];
}

/* Eq. 14 / 15 with eq. 12 or 13 in closed form, one work-item per mask element j: dm_ij = rate m_ij Q_ij f_ij with Q
   summed over the kernel's positions between layers; f = 1 - gamma S_j (eq. 12) or 1 - gamma T_ij - m_ij^2 (eq. 13),
   S and T (over k < i) from the masks before the update. */
KERNEL void csnn_masks(const int k, const int n, const int ms, const int k2, const int between, const int earlier,
                       const float gamma, const float rate, GLOBAL float* M, GLOBAL const float* Q)
{
    const int j = GID(0);
    if (j >= ms) return;
    float all = 0.0f;
    for (int i = 0; i < k; i++) all += M[i * ms + j] * M[i * ms + j];
    float before = 0.0f;
    for (int i = 0; i < k; i++) {
        const float m = M[i * ms + j];
        float q = 0.0f;
        if (between) { for (int p = 0; p < k2; p++) q += Q[i * n + j * k2 + p]; }
        else q = Q[i * n + j];
        const float f = earlier ? 1.0f - gamma * before - m * m : 1.0f - gamma * all;
        M[i * ms + j] = m + rate * m * q * f;
        before += m * m;
    }
}

/* The layer's output for map h: out[b, (h k + i) positions + pos] = S[(b positions + pos) k + i]. */
KERNEL void csnn_scatter(const int B, const int positions, const int k, const int h, const int features,
                         GLOBAL const float* S, GLOBAL float* out)
{
    const int x = GID(0);
    if (x >= B * positions * k) return;
    const int i = x % k, row = x / k, b = row / positions, pos = row % positions;
    out[b * features + (h * k + i) * positions + pos] = S[x];
}

/* Section III-F: the block after the scores. Channel c's values become (y - mean_c) * scale_c (batch norm without
   trainable parameters; norm holds the channels' means, then their scales 1 / sqrt(var + eps)), then max pooling
   over s x s windows with stride s and padding "same" (top / left: the smaller half of the padding; padded cells never
   win). One work item per output value of the b images: Y is b x (channels x h x w), Z is b x (channels x ph x pw). */
KERNEL void csnn_norm_pool(const int b, const int channels, const int h, const int w, const int s, const int ph,
                           const int pw, const int top, const int left, GLOBAL const float* norm,
                           GLOBAL const float* Y, GLOBAL float* Z)
{
    const int x = GID(0);
    if (x >= b * channels * ph * pw) return;
    const int ox = x % pw, oy = (x / pw) % ph, c = (x / (pw * ph)) % channels, img = x / (pw * ph * channels);
    const float mean = norm[c], scale = norm[channels + c];
    GLOBAL const float* plane = Y + ((long)img * channels + c) * h * w;
    float best = -INFINITY;
    for (int dy = 0; dy < s; dy++)
    {
        const int yy = oy * s + dy - top;
        if (yy < 0 || yy >= h) continue;
        for (int dx = 0; dx < s; dx++)
        {
            const int xx = ox * s + dx - left;
            if (xx >= 0 && xx < w) best = fmax(best, (plane[yy * w + xx] - mean) * scale);
        }
    }
    Z[x] = best;
}
