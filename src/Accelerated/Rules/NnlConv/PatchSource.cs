using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.NnlConv;

/// <summary>
/// The minibatches of image patches for learning convolutional filters (Grinberg, Hopfield &amp; Krotov 2019, section 2:
/// "the resulting set of patches ... is shuffled at each epoch and is organized into minibatches"), made without
/// ever holding all patches of the dataset: the images are taken in the given order in chunks, and each chunk's
/// patches are shuffled and cut into minibatches (the last of a chunk may be smaller). Each patch is cut straight into
/// its minibatch (PatchMath.Copy, the layout of INnlConvLayer.Patches), then centred and/or scaled to unit length
/// if asked (PatchMath.Prepare, as the cpu layer does).
/// <see cref="Next"/> shuffles a chunk's (image, position) list when it starts the chunk; <see cref="Fill"/> cuts the
/// patches of a minibatch, and may be called for disjoint ranges of its rows at once.
/// </summary>
public sealed class PatchSource : IMinibatchSource
{
    readonly Matrix _images;
    readonly int[] _order;
    readonly NnlConvOptions _o;
    readonly int _chunk, _batch;
    readonly bool _center, _unit;
    readonly Random _rng;
    readonly int[] _ids;
    int _chunkStart = -1, _count, _position, _current, _rows;

    /// <param name="images">one image a row (Height x Width x Channels, channel-major)</param>
    /// <param name="order">the images to take, in this order (indices into <paramref name="images"/>)</param>
    /// <param name="chunk">images whose patches are shuffled together</param>
    /// <param name="batch">patches a minibatch</param>
    /// <param name="rng">the shuffle's generator, drawn from by <see cref="Next"/> only</param>
    public PatchSource(Matrix images, int[] order, NnlConvOptions o, int chunk, int batch, bool center, bool unit, Random rng)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(rng);
        o.Validate();
        int imageSize = o.Height * o.Width * o.Channels;
        if (images.Cols != imageSize)
            throw new ArgumentException($"images has {images.Cols} columns; {o.Height}x{o.Width}x{o.Channels} images need {imageSize}", nameof(images));
        if (chunk < 1) throw new ArgumentOutOfRangeException(nameof(chunk), chunk, "chunk must be >= 1 image");
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be >= 1 patch");
        foreach (int i in order)
            if ((uint)i >= (uint)images.Rows)
                throw new ArgumentOutOfRangeException(nameof(order), i, $"image indices must be in [0, {images.Rows})");
        _images = images; _order = order; _o = o; _chunk = chunk; _batch = batch; _center = center; _unit = unit; _rng = rng;
        _ids = new int[(long)Math.Min(chunk, Math.Max(order.Length, 1)) * o.Positions];
    }

    /// <summary>The length of a row: the patch size.</summary>
    public int Columns => _o.PatchSize;
    /// <summary>The most rows a minibatch has.</summary>
    public int MaxRows => _batch;

    /// <summary>Moves to the next minibatch and returns its number of rows, or 0 when the pass is over.</summary>
    public int Next()
    {
        if (_chunkStart < 0 || _position == _count)
        {
            _chunkStart = _chunkStart < 0 ? 0 : _chunkStart + _chunk;
            if (_chunkStart >= _order.Length) { _chunkStart = _order.Length; _count = _position = _rows = 0; return 0; }
            _count = Math.Min(_chunk, _order.Length - _chunkStart) * _o.Positions;
            for (int i = 0; i < _count; i++) _ids[i] = i;
            _rng.Shuffle(_ids.AsSpan(0, _count));
            _position = 0;
        }
        _current = _position;
        _rows = Math.Min(_batch, _count - _position);
        _position += _rows;
        return _rows;
    }

    /// <summary>Writes rows [<paramref name="from"/>, <paramref name="to"/>) of the current minibatch into the same rows
    /// of <paramref name="rows"/> (row-major, <see cref="Columns"/> a row). Disjoint ranges of one minibatch may be
    /// filled by several threads at once.</summary>
    public void Fill(int from, int to, Span<float> rows)
    {
        if (from < 0 || to > _rows || from > to)
            throw new ArgumentOutOfRangeException(nameof(to), $"rows [{from}, {to}) are not within the current minibatch's {_rows}");
        int n = _o.PatchSize, positions = _o.Positions;
        for (int r = from; r < to; r++)
        {
            int id = _ids[_current + r];
            var dst = rows.Slice(r * n, n);
            PatchMath.Copy(_o, _images.Row(_order[_chunkStart + id / positions]), id % positions, dst);
            PatchMath.Prepare(dst, _center, _unit);
        }
    }
}
