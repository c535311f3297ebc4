using System.Text;
using Fenix.Client.Transports;

namespace Fenix.Client.Tests.Support;

/// <summary>Records what a transport reports, as readable lines.</summary>
internal sealed class RecordingEvents : ITransportEvents
{
    private readonly System.Threading.Channels.Channel<string> _events = System.Threading.Channels.Channel.CreateUnbounded<string>();

    public Task<string> NextAsync() => _events.Reader.ReadAsync().AsTask().Within();

    public bool TryNext(out string? next) => _events.Reader.TryRead(out next);

    public void OnOpen() => _events.Writer.TryWrite("open");

    public void OnMessage(ReadOnlyMemory<byte> data, bool isBinary) =>
        _events.Writer.TryWrite($"message {(isBinary ? "binary " : "")}{Encoding.UTF8.GetString(data.Span)}");

    public void OnError(Exception error) => _events.Writer.TryWrite($"error {(error as TransportException)?.Status}");

    public void OnClose(SocketCloseInfo close) => _events.Writer.TryWrite($"close {close.Code} {close.Reason}");
}
