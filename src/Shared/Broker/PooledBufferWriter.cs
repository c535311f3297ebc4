using System.Buffers;

namespace Fenix.PubSub.Broker;

/// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool; <see cref="Detach"/> hands the array on.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    /// <summary>The rented array; null after <see cref="Detach"/> or <see cref="Dispose"/>.</summary>
    private byte[]? _buffer;

    /// <summary>Bytes written at the start of <see cref="_buffer"/>.</summary>
    private int _written;

    public PooledBufferWriter(int initialSize = 256) => _buffer = ArrayPool<byte>.Shared.Rent(initialSize);

    public int WrittenCount => _written;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > Buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

    /// <summary>Gives up the rented array (the caller returns it to the pool) and the number of bytes written.</summary>
    public (byte[] Buffer, int Length) Detach()
    {
        var result = (Buffer, _written);
        _buffer = null;
        _written = 0;
        return result;
    }

    /// <summary>Returns the array to the pool unless it was detached.</summary>
    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferWriter));

    private byte[] Ensure(int sizeHint)
    {
        var buffer = Buffer;
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= buffer.Length)
        {
            return buffer;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
        buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        _buffer = larger;
        return larger;
    }
}
