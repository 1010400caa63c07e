using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>
/// CSNN's "Aug": extra training images for the probe, each rotated, shifted and perhaps mirrored at random as
/// <see cref="AugmentOptions"/> says. Bilinear sampling (Keras' interpolation order 1) about the image's centre;
/// a sample point outside the image takes the fill. Images are rows, channel-major (C planes of H x W).
/// </summary>
public static class Augment
{
    public static Matrix Apply(Matrix images, int height, int width, int channels, Random rng, AugmentOptions options)
    {
        if (images.Cols != height * width * channels)
            throw new ArgumentException($"images have {images.Cols} columns; {height}x{width}x{channels} needs {height * width * channels}", nameof(images));
        options.Validate();
        var outp = new Matrix(images.Rows, images.Cols);
        double cy = (height - 1) / 2.0, cx = (width - 1) / 2.0;
        double shiftX = options.ShiftPixels(width), shiftY = options.ShiftPixels(height);
        bool nearest = options.Fill == AugmentFill.Nearest;
        for (int r = 0; r < images.Rows; r++)
        {
            double angle = (rng.NextDouble() * 2 - 1) * options.MaxDegrees * Math.PI / 180;
            double dx = (rng.NextDouble() * 2 - 1) * shiftX, dy = (rng.NextDouble() * 2 - 1) * shiftY;
            bool mirror = options.Flip && rng.Next(2) == 1;
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
                        double v = (1 - fx) * (1 - fy) * Pixel(src, at, x0, y0, width, height, nearest) + fx * (1 - fy) * Pixel(src, at, x0 + 1, y0, width, height, nearest)
                                 + (1 - fx) * fy * Pixel(src, at, x0, y0 + 1, width, height, nearest) + fx * fy * Pixel(src, at, x0 + 1, y0 + 1, width, height, nearest);
                        dst[plane + y * width + x] = (float)v;
                    }
                }
        }
        return outp;
    }

    /// <summary>Pixel (x, y) of a plane; outside the image, that of the nearest edge pixel (nearest) or 0.</summary>
    static double Pixel(float[] src, int plane, int x, int y, int width, int height, bool nearest)
    {
        if (x < 0 || y < 0 || x >= width || y >= height)
        {
            if (!nearest) return 0;
            x = Math.Clamp(x, 0, width - 1);
            y = Math.Clamp(y, 0, height - 1);
        }
        return src[plane + y * width + x];
    }
}
