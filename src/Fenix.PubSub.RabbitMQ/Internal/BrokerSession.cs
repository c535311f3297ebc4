using Fenix.PubSub.Broker;
using Fenix.PubSub.RabbitMQ.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Fenix.PubSub.RabbitMQ.Internal;

/// <summary>
/// One connection to the broker and everything built on it: the broadcast exchange, this node's exclusive queue with a
/// binding per active topic, a consumer, and two loops — the publisher (drains the outgoing queue in batches) and the
/// binder (applies topic changes). It lives until the connection or one of its channels fails, or the node stops;
/// the adapter then opens a new session, which declares everything again.
/// </summary>
internal sealed partial class BrokerSession : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _publishChannel;
    private readonly IChannel _consumeChannel;
    private readonly IChannel _topologyChannel;
    private readonly AdapterContext _context;

    /// <summary>Completed with a reason when the connection or any channel shuts down.</summary>
    private readonly TaskCompletionSource<string> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrokerSession(AdapterContext context, IConnection connection, IChannel publish, IChannel consume, IChannel topology)
    {
        _context = context;
        _connection = connection;
        _publishChannel = publish;
        _consumeChannel = consume;
        _topologyChannel = topology;
        _batch = new BatchBuilder(context.EnvelopeHeader, context.Options.MaxBatchBytes, context.Options.MaxBatchMessages);
        connection.ConnectionShutdownAsync += OnShutdownAsync;
        connection.ConnectionBlockedAsync += OnBlockedAsync;
        foreach (var channel in new[] { publish, consume, topology })
        {
            channel.ChannelShutdownAsync += OnShutdownAsync;
        }
    }

    /// <summary>Topics bound on this session's queue (owned by the binder loop, and by <see cref="OpenAsync"/> before it starts).</summary>
    public int BoundCount => _boundTopics.Count;

    /// <summary>Connects, declares the exchange and this node's queue, binds every active topic and starts consuming.</summary>
    public static async Task<BrokerSession> OpenAsync(AdapterContext context, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var factory = new ConnectionFactory
        {
            Uri = options.Uri!,
            AutomaticRecoveryEnabled = false, // recovery is ours: it re-declares from the current desired state
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = options.Heartbeat,
            ClientProvidedName = $"fenix node {context.NodeName}",
        };
        options.ConfigureConnectionFactory?.Invoke(factory);
        var connection = await factory.CreateConnectionAsync(cancellationToken);
        try
        {
            var publish = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            var consume = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            var topology = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            var session = new BrokerSession(context, connection, publish, consume, topology);
            await session.DeclareAsync(cancellationToken);
            return session;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the publisher and binder loops until the connection is lost (returns the reason) or <paramref name="stopping"/> fires.</summary>
    public async Task<string> RunAsync(CancellationToken stopping)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var publisher = PublishLoopAsync(running.Token);
        var binder = BindLoopAsync(running.Token);
        var first = await Task.WhenAny(_lost.Task, publisher, binder);
        await running.CancelAsync();
        await Task.WhenAll(publisher, binder).ContinueWith(static _ => { }, TaskScheduler.Default); // their faults are the session's end
        stopping.ThrowIfCancellationRequested();
        if (first == _lost.Task)
        {
            return _lost.Task.Result;
        }

        return first.Exception?.GetBaseException().Message ?? "a session loop ended";
    }

    public async ValueTask DisposeAsync()
    {
        _connection.ConnectionShutdownAsync -= OnShutdownAsync;
        _connection.ConnectionBlockedAsync -= OnBlockedAsync;
        _lost.TrySetResult("closed");
        try
        {
            if (_connection.IsOpen)
            {
                await _connection.CloseAsync(Constants.ReplySuccess, "node stopping", TimeSpan.FromSeconds(2), abort: false);
            }
        }
        catch (Exception)
        {
            // Already closed by the broker or the network; nothing else to release.
        }

        await _connection.DisposeAsync();
    }

    private async Task DeclareAsync(CancellationToken cancellationToken)
    {
        var options = _context.Options;
        await _topologyChannel.ExchangeDeclareAsync(_context.Exchange, ExchangeType.Direct, durable: false, autoDelete: false, cancellationToken: cancellationToken);
        var arguments = new Dictionary<string, object?>
        {
            ["x-max-length"] = options.MaxQueueLength,
            ["x-overflow"] = "drop-head",
        };
        await _topologyChannel.QueueDeclareAsync(_context.Queue, durable: false, exclusive: true, autoDelete: true, arguments, cancellationToken: cancellationToken);
        await BindAllAsync(cancellationToken);
        await _consumeChannel.BasicQosAsync(0, options.PrefetchCount, global: false, cancellationToken);
        await _consumeChannel.BasicConsumeAsync(
            _context.Queue, autoAck: false, consumerTag: "", noLocal: false, exclusive: true, arguments: null,
            new NodeQueueConsumer(_consumeChannel, _context), cancellationToken);
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs reason)
    {
        var what = sender is IConnection ? "connection" : "channel";
        _lost.TrySetResult($"{what} closed: {reason.ReplyCode} {reason.ReplyText}");
        return Task.CompletedTask;
    }

    private Task OnBlockedAsync(object sender, ConnectionBlockedEventArgs blocked)
    {
        _context.Log.Blocked(_context.NodeName, blocked.Reason);
        return Task.CompletedTask;
    }
}
