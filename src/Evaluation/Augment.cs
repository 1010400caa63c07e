using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>
/// CSNN's "Aug": extra training images for the probe made by a random rotation (up to ±15°), a random shift (up to
/// ±2 pixels each way) and, where the dataset allows it, a horizontal flip with probability 1/2. Bilinear
/// sampling; pixels from outside the image are 0. Images are rows, channel-major (C planes of H x W).
/// </summary>
public static class Augment
{
    public static Matrix Apply(Matrix images, int height, int width, int channels, Random rng, bool flip, double maxDegrees = 15, double maxShift = 2)
    {
        if (images.Cols != height * width * channels)
            throw new ArgumentException($"images have {images.Cols} columns; {height}x{width}x{channels} needs {height * width * channels}", nameof(images));
        var outp = new Matrix(images.Rows, images.Cols);
        double cy = (height - 1) / 2.0, cx = (width - 1) / 2.0;
        for (int r = 0; r < images.Rows; r++)
        {
            double angle = (rng.NextDouble() * 2 - 1) * maxDegrees * Math.PI / 180;
            double dx = (rng.NextDouble() * 2 - 1) * maxShift, dy = (rng.NextDouble() * 2 - 1) * maxShift;
            bool mirror = flip && rng.Next(2) == 1;
            double cos = Math.Cos(angle), sin = Math.Sin(angle);
            float[] src = images.Data;
            int rowStart = r * images.Cols;
            var dst = outp.Row(r);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    // Inverse map: the destination pixel (x, y) samples the source at the rotated, shifted point.
                    double xo = (mirror ? width - 1 - x : x) - cx - dx, yo = y - cy - dy;
                    double sx = cos * xo + sin * yo + cx, sy = -sin * xo + cos * yo + cy;
                    int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                    double fx = sx - x0, fy = sy - y0;
                    for (int c = 0; c < channels; c++)
                    {
                        int plane = c * height * width;
                        int at = rowStart + plane;
                        double v = (1 - fx) * (1 - fy) * Pixel(src, at, x0, y0, width, height) + fx * (1 - fy) * Pixel(src, at, x0 + 1, y0, width, height)
                                 + (1 - fx) * fy * Pixel(src, at, x0, y0 + 1, width, height) + fx * fy * Pixel(src, at, x0 + 1, y0 + 1, width, height);
                        dst[plane + y * width + x] = (float)v;
                    }
                }
        }
        return outp;
    }

    static double Pixel(float[] src, int plane, int x, int y, int width, int height) =>
        x < 0 || y < 0 || x >= width || y >= height ? 0 : src[plane + y * width + x];
}
