using System.Buffers;
using System.Collections.Concurrent;
using Fenix.PubSub;
using Fenix.PubSub.Adapters;
using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Transports.LongPoll;

/// <summary>
/// Serves long-poll requests whose session lives on another node, so that a cluster needs no sticky sessions
/// (protocol.md §5.2). The node that got the request (requester) sends it to the owner's node with
/// <see cref="FenixPubSub.DirectBroadcast"/>; the owner acknowledges at once if it has the session, runs the poll or
/// publish on it, and sends the result back. No acknowledgement within <see cref="AcknowledgeTimeout"/> (Phoenix's
/// <c>pubsub_timeout_ms</c>) means "no session", as for an unknown token.
/// </summary>
/// <remarks>
/// Both roles listen on <see cref="Topic"/>, subscribed lazily: the owner when it opens its first session (before any
/// token naming it exists), the requester before its first forward. Delivery is at most once: frames of a poll
/// result lost between nodes are lost to the client, as in Phoenix.
/// </remarks>
internal sealed class LongPollForwarder : ISubscriber
{
    /// <summary>The private topic of forwarded requests and their answers, on every node.</summary>
    public const string Topic = "fenix:longpoll";

    /// <summary>How long the requester waits for the owner to acknowledge (Phoenix's default <c>pubsub_timeout_ms</c>).</summary>
    public static readonly TimeSpan AcknowledgeTimeout = TimeSpan.FromSeconds(2);

    private readonly FenixPubSub _pubSub;
    private readonly LongPollSessionRegistry _sessions;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    /// <summary>Requests this node sent and still waits for, by correlation id.</summary>
    private readonly ConcurrentDictionary<Guid, Pending> _pending = new();

    /// <summary>Requests this node runs for others (cancellable by a <see cref="LongPollForwardKind.Cancel"/>), by correlation id.</summary>
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _serving = new();

    /// <summary>0 until the node listens on <see cref="Topic"/>, then 1.</summary>
    private int _listening;

    public LongPollForwarder(FenixPubSub pubSub, LongPollSessionRegistry sessions, TimeProvider time, ILogger log)
    {
        _pubSub = pubSub;
        _sessions = sessions;
        _time = time;
        _log = log;
    }

    /// <summary>False for a single node (the in-process adapter): a token naming another node then simply means "no session".</summary>
    public bool Enabled => _pubSub.Adapter is not InProcessAdapter;

    /// <summary>Starts listening for forwarded requests and answers (once).</summary>
    public void EnsureListening()
    {
        if (Enabled && Interlocked.Exchange(ref _listening, 1) == 0)
        {
            _pubSub.RegisterDecoder(new LongPollForwardMessageDecoder());
            _pubSub.Subscribe(Topic, this);
        }
    }

    /// <summary>Runs a GET on session <paramref name="sessionId"/> of <paramref name="node"/>: its frames (200 or 204), or <see cref="LongPollForwardMessage.NoSession"/>.</summary>
    public Task<LongPollForwardMessage> PollAsync(string node, string mountPath, string sessionId, TimeSpan window, CancellationToken aborted) =>
        ForwardAsync(node, window, correlation => new LongPollForwardMessage
        {
            Kind = LongPollForwardKind.Poll,
            Correlation = correlation,
            ReplyNode = _pubSub.NodeName,
            MountPath = mountPath,
            SessionId = sessionId,
        }, aborted);

    /// <summary>Runs a POST of <paramref name="body"/> on session <paramref name="sessionId"/> of <paramref name="node"/>.</summary>
    public Task<LongPollForwardMessage> PublishAsync(string node, string mountPath, string sessionId, string? contentType, byte[] body, TimeSpan window, CancellationToken aborted) =>
        ForwardAsync(node, window, correlation => new LongPollForwardMessage
        {
            Kind = LongPollForwardKind.Publish,
            Correlation = correlation,
            ReplyNode = _pubSub.NodeName,
            MountPath = mountPath,
            SessionId = sessionId,
            ContentType = contentType,
            Body = body,
        }, aborted);

    public void Deliver(string topic, object message)
    {
        if (message is not LongPollForwardMessage forwarded)
        {
            return;
        }

        switch (forwarded.Kind)
        {
            case LongPollForwardKind.Ack when _pending.TryGetValue(forwarded.Correlation, out var pending):
                pending.Acknowledged.TrySetResult();
                break;
            case LongPollForwardKind.Result when _pending.TryGetValue(forwarded.Correlation, out var pending):
                pending.Acknowledged.TrySetResult();
                pending.Completed.TrySetResult(forwarded);
                break;
            case LongPollForwardKind.Cancel when _serving.TryGetValue(forwarded.Correlation, out var serving):
                try
                {
                    serving.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // It just finished.
                }

                break;
            case LongPollForwardKind.Poll or LongPollForwardKind.Publish:
                _ = Task.Run(() => ServeAsync(forwarded)); // Deliver must not block: the request runs on its own
                break;
        }
    }

    private async Task<LongPollForwardMessage> ForwardAsync(string node, TimeSpan window, Func<Guid, LongPollForwardMessage> request, CancellationToken aborted)
    {
        EnsureListening();
        var correlation = Guid.NewGuid();
        var pending = new Pending();
        _pending[correlation] = pending;
        try
        {
            _pubSub.DirectBroadcast(node, Topic, request(correlation));
            try
            {
                await pending.Acknowledged.Task.WaitAsync(AcknowledgeTimeout, _time, aborted);
            }
            catch (TimeoutException)
            {
                _log.ForwardUnacknowledged(node, AcknowledgeTimeout);
                return Answer(correlation, LongPollForwardMessage.NoSession);
            }

            try
            {
                return await pending.Completed.Task.WaitAsync(window + AcknowledgeTimeout, _time, aborted);
            }
            catch (TimeoutException)
            {
                _log.ForwardTimedOut(node, window + AcknowledgeTimeout);
                return Answer(correlation, 204); // for a poll: nothing arrived; a publish maps it to 408
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: let the owner stop waiting, so the frames stay buffered for the next poll.
            _pubSub.DirectBroadcast(node, Topic, new LongPollForwardMessage { Kind = LongPollForwardKind.Cancel, Correlation = correlation });
            throw;
        }
        finally
        {
            _pending.TryRemove(correlation, out _);
        }
    }

    /// <summary>The owner's side: runs the request on the local session and answers (acknowledging first if it must wait).</summary>
    private async Task ServeAsync(LongPollForwardMessage request)
    {
        var session = _sessions.Find(request.SessionId);
        if (session is null || session.MountPath != request.MountPath)
        {
            Reply(request, Answer(request.Correlation, LongPollForwardMessage.NoSession));
            return;
        }

        using var cancel = new CancellationTokenSource();
        _serving[request.Correlation] = cancel;
        try
        {
            var work = RunAsync(session, request, cancel.Token);
            if (!work.IsCompleted)
            {
                Reply(request, new LongPollForwardMessage { Kind = LongPollForwardKind.Ack, Correlation = request.Correlation });
            }

            Reply(request, await work);
        }
        catch (Exception e)
        {
            _log.ForwardFailed(request.SessionId, e);
            Reply(request, Answer(request.Correlation, 500));
        }
        finally
        {
            _serving.TryRemove(request.Correlation, out _);
        }
    }

    private static async Task<LongPollForwardMessage> RunAsync(LongPollSession session, LongPollForwardMessage request, CancellationToken cancel)
    {
        if (request.Kind == LongPollForwardKind.Poll)
        {
            var frames = await session.PollAsync(cancel);
            return new LongPollForwardMessage
            {
                Kind = LongPollForwardKind.Result,
                Correlation = request.Correlation,
                Status = frames.Count > 0 ? 200 : 204,
                Frames = frames,
            };
        }

        var (status, error) = await session.PublishAsync(new ReadOnlySequence<byte>(request.Body), request.ContentType, cancel);
        return new LongPollForwardMessage { Kind = LongPollForwardKind.Result, Correlation = request.Correlation, Status = status, Error = error };
    }

    private void Reply(LongPollForwardMessage request, LongPollForwardMessage answer) =>
        _pubSub.DirectBroadcast(request.ReplyNode, Topic, answer);

    private static LongPollForwardMessage Answer(Guid correlation, int status) =>
        new() { Kind = LongPollForwardKind.Result, Correlation = correlation, Status = status };

    /// <summary>A request this node waits for: first the owner's acknowledgement, then its result.</summary>
    private sealed class Pending
    {
        public TaskCompletionSource Acknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<LongPollForwardMessage> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
