/* The probes' layers (CSNN section IV-B): linear, batch norm, ELU, dropout, softmax cross-entropy.
   Reference: Hebb.Reference.Probe; the cpu backend's CpuLayers computes the same in the same order. */

KERNEL void add_bias(const int rows, const int cols, GLOBAL float* y, GLOBAL const float* bias)
{
    const int i = GID(0);
    if (i < rows * cols) y[i] += bias[i % cols];
}

/* out[j] = sum over rows of a[r, j]; one work-item per column. */
KERNEL void column_sums(const int rows, const int cols, GLOBAL const float* a, GLOBAL float* out)
{
    const int j = GID(0);
    if (j >= cols) return;
    float s = 0.0f;
    for (int r = 0; r < rows; r++) s += a[r * cols + j];
    out[j] = s;
}

/* Per column: the batch mean and biased variance (two passes). */
KERNEL void batch_stats(const int rows, const int cols, GLOBAL const float* x, GLOBAL float* mean, GLOBAL float* var)
{
    const int j = GID(0);
    if (j >= cols) return;
    float s = 0.0f;
    for (int r = 0; r < rows; r++) s += x[r * cols + j];
    const float mu = s / rows;
    float v = 0.0f;
    for (int r = 0; r < rows; r++) { const float d = x[r * cols + j] - mu; v += d * d; }
    mean[j] = mu;
    var[j] = v / rows;
}

/* xhat = (x - mean) / sqrt(var + eps); y = gamma xhat + beta (xhat may be y's own buffer only if not needed). */
KERNEL void bn_normalize(const int rows, const int cols, const float eps, GLOBAL const float* x, GLOBAL const float* mean, GLOBAL const float* var,
                         GLOBAL const float* gamma, GLOBAL const float* beta, GLOBAL float* xhat, GLOBAL float* y)
{
    const int i = GID(0);
    if (i >= rows * cols) return;
    const int j = i % cols;
    const float h = (x[i] - mean[j]) * (1.0f / SQRTF(var[j] + eps));
    xhat[i] = h;
    y[i] = gamma[j] * h + beta[j];
}

/* dgamma[j] = sum dy xhat, dbeta[j] = sum dy; one work-item per column. */
KERNEL void bn_backward_sums(const int rows, const int cols, GLOBAL const float* dy, GLOBAL const float* xhat, GLOBAL float* dgamma, GLOBAL float* dbeta)
{
    const int j = GID(0);
    if (j >= cols) return;
    float sg = 0.0f, sb = 0.0f;
    for (int r = 0; r < rows; r++) { const float d = dy[r * cols + j]; sb += d; sg += d * xhat[r * cols + j]; }
    dgamma[j] = sg;
    dbeta[j] = sb;
}

/* dx = gamma / sqrt(var + eps) / B (B dy - dbeta - xhat dgamma). */
KERNEL void bn_backward_dx(const int rows, const int cols, const float eps, GLOBAL const float* var, GLOBAL const float* gamma,
                           GLOBAL const float* dy, GLOBAL const float* xhat, GLOBAL const float* dgamma, GLOBAL const float* dbeta, GLOBAL float* dx)
{
    const int i = GID(0);
    if (i >= rows * cols) return;
    const int j = i % cols;
    dx[i] = gamma[j] * (1.0f / SQRTF(var[j] + eps)) / rows * (rows * dy[i] - dbeta[j] - xhat[i] * dgamma[j]);
}

/* y = x mask scale, scale = 1 / (1 - rate): inverted dropout and its own backward pass. */
KERNEL void dropout(const int count, const float scale, GLOBAL const float* x, GLOBAL const float* mask, GLOBAL float* y)
{
    const int i = GID(0);
    if (i < count) y[i] = x[i] * mask[i] * scale;
}

KERNEL void elu(const int count, GLOBAL const float* x, GLOBAL float* y)
{
    const int i = GID(0);
    if (i < count) y[i] = x[i] > 0.0f ? x[i] : EXPF(x[i]) - 1.0f;
}

KERNEL void elu_backward(const int count, GLOBAL const float* x, GLOBAL const float* dy, GLOBAL float* dx)
{
    const int i = GID(0);
    if (i < count) dx[i] = x[i] > 0.0f ? dy[i] : dy[i] * EXPF(x[i]);
}

/* Per row: loss[r] = -(z[label] - max - log sum exp(z - max)); dz = (softmax - onehot) / rows. */
KERNEL void softmax_ce(const int rows, const int cols, GLOBAL const float* z, GLOBAL const int* labels, GLOBAL float* dz, GLOBAL float* loss)
{
    const int r = GID(0);
    if (r >= rows) return;
    float m = z[r * cols];
    for (int c = 1; c < cols; c++) m = FMAXF(m, z[r * cols + c]);
    float s = 0.0f;
    for (int c = 0; c < cols; c++) { const float e = EXPF(z[r * cols + c] - m); dz[r * cols + c] = e; s += e; }
    const float inv = 1.0f / (s * rows);
    for (int c = 0; c < cols; c++) dz[r * cols + c] *= inv;
    dz[r * cols + labels[r]] -= 1.0f / rows;
    loss[r] = -(z[r * cols + labels[r]] - m - LOGF(s));
}

/* run = momentum run + (1 - momentum) batch. */
KERNEL void running_update(const int count, const float momentum, GLOBAL float* run, GLOBAL const float* batch)
{
    const int i = GID(0);
    if (i < count) run[i] = momentum * run[i] + (1.0f - momentum) * batch[i];
}
