using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text.Unicode;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>The receive side: frames in, messages to the session.</summary>
internal sealed partial class WebSocketConnection
{
    /// <summary>What the receive loop does after a frame.</summary>
    private enum FrameOutcome
    {
        Continue,
        Stop,
    }

    private async Task<TerminateReason> ReceiveLoopAsync()
    {
        var assembler = new MessageAssembler();
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await _reader.ReadAsync();
                }
                catch (Exception e) when (IsPeerGone(e))
                {
                    return TerminateReason.Closed;
                }

                if (result.IsCanceled || _aborted)
                {
                    return TerminateReason.Closed;
                }

                Volatile.Write(ref _lastActivity, _runtime.Time.GetTimestamp());
                var buffer = result.Buffer;
                var outcome = FrameOutcome.Continue;
                try
                {
                    while (outcome == FrameOutcome.Continue && WebSocketFrameHeader.TryRead(buffer, out var header))
                    {
                        if (!header.IsControl && header.PayloadLength > _options.MaxMessageSize - assembler.Length)
                        {
                            Fail(TransportCloseReason.TooBig, $"message over {_options.MaxMessageSize} bytes");
                            return TerminateReason.Error("message_too_big");
                        }

                        if (buffer.Length < header.HeaderLength + header.PayloadLength)
                        {
                            break;
                        }

                        var payload = buffer.Slice(header.HeaderLength, header.PayloadLength);
                        outcome = HandleFrame(header, payload, assembler);
                        buffer = buffer.Slice(payload.End);
                    }
                }
                catch (WebSocketProtocolException e)
                {
                    Fail(TransportCloseReason.ProtocolError(e.Message), e.Message);
                    return TerminateReason.Error("protocol_error");
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start, result.Buffer.End);
                }

                if (outcome == FrameOutcome.Stop)
                {
                    return _closeReasonForChannels ?? TerminateReason.Closed;
                }

                if (result.IsCompleted)
                {
                    return TerminateReason.Closed;
                }

                if (Session.IsOverloaded)
                {
                    await Session.WaitForCapacityAsync();
                }
            }
        }
        finally
        {
            assembler.Reset();
        }
    }

    /// <summary>Set when the loop stops for a reason channels should see (an undecodable frame crashes the connection).</summary>
    private TerminateReason? _closeReasonForChannels;

    private FrameOutcome HandleFrame(in WebSocketFrameHeader header, in ReadOnlySequence<byte> payload, MessageAssembler assembler)
    {
        switch (header.Opcode)
        {
            case WebSocketOpcode.Ping:
                // Counted against the outbound bound like any frame: a client that pings and never reads is a slow consumer.
                Enqueue(new OutboundItem(Unmask(payload, header.MaskKey), WebSocketOpcode.Pong));
                return FrameOutcome.Continue;
            case WebSocketOpcode.Pong:
                return FrameOutcome.Continue;
            case WebSocketOpcode.Close:
                return HandleClose(Unmask(payload, header.MaskKey));
        }

        if (header.Opcode == WebSocketOpcode.Continuation)
        {
            if (!assembler.InMessage)
            {
                throw new WebSocketProtocolException("continuation frame without a message to continue");
            }
        }
        else if (assembler.InMessage)
        {
            throw new WebSocketProtocolException("a new message started before the previous one ended");
        }
        else if (header.Fin)
        {
            // The common case: a whole message in one frame.
            var buffer = ArrayPool<byte>.Shared.Rent((int)header.PayloadLength);
            try
            {
                var length = (int)header.PayloadLength;
                WebSocketFraming.CopyUnmasked(payload, buffer, header.MaskKey, maskOffset: 0);
                var message = buffer.AsSpan(0, length);
                if (header.Opcode == WebSocketOpcode.Text && !Utf8.IsValid(message))
                {
                    return FailInvalidUtf8();
                }

                return HandleMessage(header.Opcode, message);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        else
        {
            assembler.Begin(header.Opcode);
        }

        if (!assembler.Append(payload, header.MaskKey, header.Fin))
        {
            return FailInvalidUtf8(); // fail fast: at the fragment carrying the bad bytes, not at the end of the message
        }

        if (!header.Fin)
        {
            return FrameOutcome.Continue;
        }

        try
        {
            return HandleMessage(assembler.Opcode, assembler.Message);
        }
        finally
        {
            assembler.Reset();
        }
    }

    private FrameOutcome HandleMessage(WebSocketOpcode opcode, ReadOnlySpan<byte> data)
    {
        if (_closeRequested != 0)
        {
            return FrameOutcome.Continue; // closing: only the client's close frame matters now
        }

        var isBinary = opcode == WebSocketOpcode.Binary;
        Message message;
        try
        {
            message = Session.Serializer.Decode(data, isBinary);
        }
        catch (MessageDecodeException e)
        {
            _log.UndecodableFrame(Session.SocketId, e.Message);
            Fail(TransportCloseReason.InvalidMessage($"invalid message: {e.Message}"), e.Message);
            _closeReasonForChannels = TerminateReason.Error("invalid_message");
            return FrameOutcome.Stop;
        }

        Session.HandleInbound(message);
        return FrameOutcome.Continue;
    }

    private FrameOutcome HandleClose(byte[] payload)
    {
        if (payload.Length == 1)
        {
            throw new WebSocketProtocolException("close frame with a one-byte payload");
        }

        var reply = TransportCloseReason.Normal;
        if (payload.Length >= 2)
        {
            var code = BinaryPrimitives.ReadUInt16BigEndian(payload);
            if (!IsValidCloseCode(code))
            {
                throw new WebSocketProtocolException($"invalid close code {code}");
            }

            if (!Utf8.IsValid(payload.AsSpan(2)))
            {
                Fail(TransportCloseReason.InvalidUtf8, "close reason is not valid UTF-8");
                return FrameOutcome.Stop;
            }

            reply = new TransportCloseReason(code, "");
        }

        // Echo the client's close (a no-op if the server already sent its own: this is then the answer to it).
        Close(reply);
        return FrameOutcome.Stop;
    }

    /// <summary>Text that is not UTF-8 (its data was already checked, one frame at a time, before reaching here).</summary>
    private FrameOutcome FailInvalidUtf8()
    {
        Fail(TransportCloseReason.InvalidUtf8, "text message is not valid UTF-8");
        _closeReasonForChannels = TerminateReason.Error("invalid_utf8");
        return FrameOutcome.Stop;
    }

    /// <summary>Closes at once after a violation: the close frame is sent, the client's answer is not awaited.</summary>
    private void Fail(TransportCloseReason reason, string detail)
    {
        _log.ProtocolViolation(_session?.SocketId, detail);
        Close(reason);
    }

    private static bool IsValidCloseCode(int code) =>
        code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);

    private static byte[] Unmask(in ReadOnlySequence<byte> payload, uint maskKey)
    {
        if (payload.IsEmpty)
        {
            return [];
        }

        var bytes = new byte[payload.Length];
        WebSocketFraming.CopyUnmasked(payload, bytes, maskKey, maskOffset: 0);
        return bytes;
    }
}
