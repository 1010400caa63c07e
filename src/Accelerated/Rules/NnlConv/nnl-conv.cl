/* The NNL-CONV layer (Grinberg, Hopfield & Krotov 2019, section 2, eq. 3). Reference: Hebb.Reference.Conv. */

/* P[row, i]: patch element i (channel-major c, dy, dx) of output position row (image by image, positions row by
   row); zero outside the image (padding). */
KERNEL void im2col(const int B, const int C, const int H, const int W, const int win, const int stride, const int pad,
                   const int outH, const int outW, GLOBAL const float* img, GLOBAL float* P)
{
    const int i = GID(0), row = GID(1);
    const int n = C * win * win, pos = outH * outW;
    if (i >= n || row >= B * pos) return;
    const int b = row / pos, p = row % pos, oy = p / outW, ox = p % outW;
    const int c = i / (win * win), r = i % (win * win);
    const int y = oy * stride - pad + r / win, x = ox * stride - pad + r % win;
    P[row * n + i] = (y < 0 || x < 0 || y >= H || x >= W) ? 0.0f : img[b * C * H * W + c * H * W + y * W + x];
}

/* Each row minus its own mean. */
KERNEL void center_rows(const int rows, const int n, GLOBAL float* P)
{
    const int r = GID(0);
    if (r >= rows) return;
    float s = 0.0f;
    for (int i = 0; i < n; i++) s += P[r * n + i];
    const float mean = s / n;
    for (int i = 0; i < n; i++) P[r * n + i] -= mean;
}

/* Each row scaled to a unit vector; a zero row stays zero. */
KERNEL void normalize_rows(const int rows, const int n, GLOBAL float* P)
{
    const int r = GID(0);
    if (r >= rows) return;
    float s = 0.0f;
    for (int i = 0; i < n; i++) s += P[r * n + i] * P[r * n + i];
    if (s > 0.0f) {
        const float inv = 1.0f / SQRTF(s);
        for (int i = 0; i < n; i++) P[r * n + i] *= inv;
    }
}

/* out[b, k, py, px] = max over the pooling window of Y[(b * pos + y * outW + x), k]. */
KERNEL void maxpool(const int B, const int K, const int outH, const int outW, const int pw, const int ps, const int pooledH, const int pooledW,
                    GLOBAL const float* Y, GLOBAL float* out)
{
    const int idx = GID(0);
    if (idx >= B * K * pooledH * pooledW) return;
    const int px = idx % pooledW, py = (idx / pooledW) % pooledH, k = (idx / (pooledW * pooledH)) % K, b = idx / (pooledW * pooledH * K);
    const int pos = outH * outW;
    float best = -3.402823466e+38f;
    for (int dy = 0; dy < pw; dy++)
        for (int dx = 0; dx < pw; dx++)
            best = FMAXF(best, Y[(b * pos + (py * ps + dy) * outW + (px * ps + dx)) * K + k]);
    out[idx] = best;
}
