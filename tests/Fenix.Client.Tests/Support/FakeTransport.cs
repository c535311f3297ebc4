using System.Text;
using Fenix.Client.Transports;
using Fenix.Protocol;

namespace Fenix.Client.Tests.Support;

/// <summary>A transport the test plays the server of: it records what the socket sends and injects what the server would.</summary>
internal sealed class FakeTransport(TransportRequest request, bool skipHeartbeat) : ITransport
{
    private readonly Lock _gate = new();
    private readonly List<EncodedFrame> _sent = [];
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TransportRequest Request => request;

    public TransportKind Kind => request.Kind;

    public bool SkipHeartbeat => skipHeartbeat;

    public Task Completion => _completion.Task;

    public bool Started { get; private set; }

    /// <summary>How the socket closed this transport, if it did.</summary>
    public (int? Code, string? Reason)? ClosedWith { get; private set; }

    /// <summary>Text frames sent so far, as JSON strings (binary frames as hex).</summary>
    public IReadOnlyList<string> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent.Select(f => f.IsBinary ? Convert.ToHexString(f.Data.Span) : Encoding.UTF8.GetString(f.Data.Span))];
            }
        }
    }

    public IReadOnlyList<EncodedFrame> SentFrames
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    public void Start() => Started = true;

    public void Send(EncodedFrame frame)
    {
        lock (_gate)
        {
            _sent.Add(frame);
        }
    }

    public void Close(int? code, string? reason)
    {
        if (ClosedWith is not null)
        {
            return;
        }

        ClosedWith = (code, reason);
        request.Events.OnClose(new SocketCloseInfo(code ?? SocketCloseInfo.NoStatus, reason, true));
        _completion.TrySetResult();
    }

    public void ClearSent()
    {
        lock (_gate)
        {
            _sent.Clear();
        }
    }

    // What the server side does:
    public void Open() => request.Events.OnOpen();

    public void Receive(string json) => request.Events.OnMessage(Encoding.UTF8.GetBytes(json), isBinary: false);

    public void ReceiveBinary(byte[] frame) => request.Events.OnMessage(frame, isBinary: true);

    public void ServerClose(int code, string? reason = null)
    {
        request.Events.OnClose(new SocketCloseInfo(code, reason, true));
        _completion.TrySetResult();
    }

    public void Fail(string message = "connection refused")
    {
        request.Events.OnError(new TransportException(message));
        request.Events.OnClose(new SocketCloseInfo(SocketCloseInfo.Abnormal, message, false));
        _completion.TrySetResult();
    }
}
