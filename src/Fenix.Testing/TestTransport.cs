using Fenix.AspNetCore.Sockets;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;

namespace Fenix.Testing;

/// <summary>The in-memory transport of a <see cref="TestSocket"/>: decodes every frame the server sends and records it.</summary>
internal sealed class TestTransport(Inbox<ReceivedFrame> inbox) : ISocketTransport
{
    public string Name => "test";

    public bool SupportsBinary => true;

    public TransportCloseReason? CloseReason { get; private set; }

    public void Send(EncodedFrame frame)
    {
        if (CloseReason is not null)
        {
            return;
        }

        string? status = null;
        var message = frame.IsBinary
            ? V2BinaryCodec.DecodeServerFrame(frame.Data.Span, out status)
            : V2JsonSerializer.Instance.Decode(frame.Data.Span, isBinary: false);
        inbox.Add(ReceivedFrame.From(message, status));
    }

    public void Close(TransportCloseReason reason) => CloseReason ??= reason;
}
