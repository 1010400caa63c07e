using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>
/// The shadow test of Grinberg, Hopfield &amp; Krotov (section 5, Fig. 3): part of each image, about 80% of its area,
/// multiplied pixelwise by 0.3. Here the shadow is one axis-aligned rectangle per image, drawn from a seeded
/// generator: its width a random fraction in [coverage, 1] of the image's, its height the fraction that makes the
/// area <paramref name="coverage"/>, its position uniform.
/// </summary>
public static class Shadow
{
    public static Matrix Apply(Matrix images, int height, int width, int channels, Random rng, double coverage = 0.8, float factor = 0.3f)
    {
        if (images.Cols != height * width * channels)
            throw new ArgumentException($"images have {images.Cols} columns; {height}x{width}x{channels} needs {height * width * channels}", nameof(images));
        if (!(coverage > 0 && coverage <= 1)) throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "coverage must be in (0, 1]");
        var outp = images.Clone();
        for (int r = 0; r < images.Rows; r++)
        {
            double fw = coverage + (1 - coverage) * rng.NextDouble();
            int w = Math.Clamp((int)Math.Round(fw * width), 1, width);
            int h = Math.Clamp((int)Math.Round(coverage * height * width / w), 1, height);
            int x0 = rng.Next(width - w + 1), y0 = rng.Next(height - h + 1);
            var row = outp.Row(r);
            for (int c = 0; c < channels; c++)
                for (int y = y0; y < y0 + h; y++)
                    for (int x = x0; x < x0 + w; x++)
                        row[c * height * width + y * width + x] *= factor;
        }
        return outp;
    }
}
