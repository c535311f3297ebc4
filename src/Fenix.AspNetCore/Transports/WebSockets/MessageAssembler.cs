using System.Buffers;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>
/// Joins the frames of a fragmented message into one pooled buffer. Holds no memory between messages,
/// so an idle connection pays nothing for it.
/// </summary>
internal sealed class MessageAssembler
{
    private byte[]? _buffer;
    private int _length;

    /// <summary>The opcode of the message being assembled (Text or Binary); meaningful only while <see cref="InMessage"/>.</summary>
    public WebSocketOpcode Opcode { get; private set; }

    public bool InMessage { get; private set; }

    public int Length => _length;

    public void Begin(WebSocketOpcode opcode)
    {
        Opcode = opcode;
        InMessage = true;
        _length = 0;
    }

    /// <summary>Appends a frame's payload, unmasking it.</summary>
    public void Append(in ReadOnlySequence<byte> maskedPayload, uint maskKey)
    {
        var needed = _length + (int)maskedPayload.Length;
        if (_buffer is null || _buffer.Length < needed)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, (_buffer?.Length ?? 0) * 2));
            _buffer?.AsSpan(0, _length).CopyTo(bigger);
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = bigger;
        }

        WebSocketFraming.CopyUnmasked(maskedPayload, _buffer.AsSpan(_length), maskKey, maskOffset: 0);
        _length = needed;
    }

    public ReadOnlySpan<byte> Message => _buffer.AsSpan(0, _length);

    /// <summary>Ends the message and returns the buffer to the pool.</summary>
    public void Reset()
    {
        InMessage = false;
        _length = 0;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
