using System.Buffers;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>
/// Joins the frames of a fragmented message into one pooled buffer, checking a text message's UTF-8 frame by frame.
/// Holds no memory between messages, so an idle connection pays nothing for it.
/// </summary>
internal sealed class MessageAssembler
{
    private byte[]? _buffer;
    private int _length;

    /// <summary>The UTF-8 state of the text message being assembled (unused for binary messages).</summary>
    private Utf8Validator _utf8;

    /// <summary>The opcode of the message being assembled (Text or Binary); meaningful only while <see cref="InMessage"/>.</summary>
    public WebSocketOpcode Opcode { get; private set; }

    public bool InMessage { get; private set; }

    public int Length => _length;

    public void Begin(WebSocketOpcode opcode)
    {
        Opcode = opcode;
        InMessage = true;
        _length = 0;
        _utf8.Reset();
    }

    /// <summary>
    /// Appends a frame's payload, unmasking it. For a text message, returns false as soon as the text cannot be valid
    /// UTF-8 (with <paramref name="isFinal"/>, also when it ends inside a code point).
    /// </summary>
    public bool Append(in ReadOnlySequence<byte> maskedPayload, uint maskKey, bool isFinal = false)
    {
        var start = _length;
        CopyUnmasked(maskedPayload, maskKey);
        if (Opcode != WebSocketOpcode.Text)
        {
            return true;
        }

        return _utf8.Append(_buffer.AsSpan(start, _length - start)) && (!isFinal || _utf8.AtBoundary);
    }

    private void CopyUnmasked(in ReadOnlySequence<byte> maskedPayload, uint maskKey)
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
        _utf8.Reset();
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
