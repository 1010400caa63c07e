using Hebb.Contracts;

namespace Hebb.Accelerated.Backends.Device;

/// <summary>
/// What every layer on a GPU backend shares: its device; the buffers of its state, made once and held until
/// <see cref="Dispose"/>; the buffers of a batch, made for the largest batch so far and made again for a larger one;
/// host reads of a buffer as a matrix (a copy); and <see cref="Dispose"/>, which frees them all (a read or a batch after
/// it is an ObjectDisposedException, not a device error). A rule's layer
/// checks its own inputs (with <see cref="Check"/>, as every engine does) before it touches a buffer.
/// </summary>
public abstract class DeviceLayer(IDevice device) : IDisposable
{
    readonly List<DeviceBuffer> _state = [], _batch = [];
    int _capacity;
    bool _disposed;

    protected IDevice Device { get; } = device;

    /// <summary>A buffer of the layer's state, <paramref name="length"/> 4-byte elements, held until Dispose; written with
    /// <paramref name="initial"/> when that is given, else left as the device made it.</summary>
    protected DeviceBuffer StateBuffer(int length, ReadOnlySpan<float> initial = default)
    {
        var b = Device.Alloc(length);
        _state.Add(b);
        if (!initial.IsEmpty) Device.Write(b, initial);
        return b;
    }

    /// <summary>Where <paramref name="rows"/> is more than the largest batch so far: frees the batch's buffers and has
    /// <paramref name="make"/> make them again, for that many rows, with <see cref="BatchBuffer"/>.</summary>
    protected void EnsureBatch(int rows, Action<int> make)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (rows <= _capacity) return;
        foreach (var b in _batch) b.Dispose();
        _batch.Clear();
        _capacity = rows;
        make(rows);
    }

    /// <summary>A buffer of the current batch (made in <see cref="EnsureBatch"/>'s <c>make</c>).</summary>
    protected DeviceBuffer BatchBuffer(int length)
    {
        var b = Device.Alloc(length);
        _batch.Add(b);
        return b;
    }

    /// <summary>The first <paramref name="rows"/> x <paramref name="cols"/> values of a buffer, as a host matrix.</summary>
    protected Matrix ReadMatrix(DeviceBuffer buffer, int rows, int cols)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var m = new Matrix(rows, cols);
        Device.Read(buffer, m.Data);
        return m;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var b in _batch.Concat(_state)) b.Dispose();
        _batch.Clear();
        _state.Clear();
        _capacity = 0;
    }
}
