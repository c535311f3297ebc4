using System.Collections.Concurrent;

namespace Fenix.PubSub;

/// <summary>
/// Publish/subscribe on string topics for one node, and across nodes through an <see cref="IPubSubAdapter"/>.
/// Delivery is best effort and in publish order per publisher; a node joining later gets no earlier messages.
/// </summary>
public sealed class FenixPubSub : IPubSubInbound, IAsyncDisposable
{
    private readonly TopicRegistry _registry;
    private readonly IPubSubAdapter _adapter;
    private readonly ConcurrentDictionary<string, IPubSubMessageDecoder> _decoders = new(StringComparer.Ordinal);

    /// <summary>Invoked when a subscriber's Deliver throws (which breaks its contract); the dispatch goes on.</summary>
    private readonly Action<string, Exception>? _onDeliveryError;

    public FenixPubSub(IPubSubAdapter adapter, Action<string, Exception>? onDeliveryError = null)
    {
        _adapter = adapter;
        _onDeliveryError = onDeliveryError;
        _registry = new TopicRegistry((topic, active) =>
        {
            if (active)
            {
                _adapter.TopicActivated(topic);
            }
            else
            {
                _adapter.TopicDeactivated(topic);
            }
        });
    }

    /// <summary>An in-process PubSub for a single node.</summary>
    public FenixPubSub()
        : this(new Adapters.InProcessAdapter())
    {
    }

    public string NodeName => _adapter.NodeName;

    /// <summary>Brackets each dispatch to this node's subscribers (local and remote messages alike); none by default.</summary>
    public IDispatchBatch? DispatchBatch { get; init; }

    public IPubSubAdapter Adapter => _adapter;

    /// <summary>Starts the adapter (receiving from other nodes). Idempotent from the caller's view: call once at startup.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => _adapter.StartAsync(this, cancellationToken);

    /// <summary>Registers how messages of one codec are rebuilt when they arrive from other nodes.</summary>
    public void RegisterDecoder(IPubSubMessageDecoder decoder) => _decoders[decoder.Codec] = decoder;

    public void Subscribe(string topic, ISubscriber subscriber) => _registry.Subscribe(topic, subscriber);

    /// <summary>Removes one subscription; false if <paramref name="subscriber"/> was not subscribed.</summary>
    public bool Unsubscribe(string topic, ISubscriber subscriber) => _registry.Unsubscribe(topic, subscriber);

    public int SubscriberCount(string topic) => _registry.SubscriberCount(topic);

    /// <summary>Topics with at least one local subscriber.</summary>
    public IReadOnlyCollection<string> LocalTopics() => _registry.Topics();

    /// <summary>Delivers to every subscriber of <paramref name="topic"/> on every node.</summary>
    public void Broadcast(string topic, IPubSubMessage message)
    {
        SendToOtherNodes(topic, message);
        Dispatch(topic, message, from: null);
    }

    /// <summary>Like <see cref="Broadcast"/>, skipping <paramref name="from"/> (a local subscriber).</summary>
    public void BroadcastFrom(ISubscriber from, string topic, IPubSubMessage message)
    {
        SendToOtherNodes(topic, message);
        Dispatch(topic, message, from);
    }

    /// <summary>Delivers to this node's subscribers only. Any object may be sent this way.</summary>
    public void LocalBroadcast(string topic, object message) => Dispatch(topic, message, from: null);

    public void LocalBroadcastFrom(ISubscriber from, string topic, object message) => Dispatch(topic, message, from);

    /// <summary>Delivers to the subscribers of <paramref name="topic"/> on the node <paramref name="nodeName"/> only.</summary>
    public void DirectBroadcast(string nodeName, string topic, IPubSubMessage message)
    {
        if (nodeName == NodeName)
        {
            Dispatch(topic, message, from: null);
        }
        else
        {
            _adapter.DirectBroadcast(nodeName, topic, message);
        }
    }

    void IPubSubInbound.DeliverRemote(string topic, string codec, ReadOnlyMemory<byte> bytes)
    {
        if (!_decoders.TryGetValue(codec, out var decoder))
        {
            _onDeliveryError?.Invoke(topic, new InvalidOperationException($"No decoder is registered for codec '{codec}'."));
            return;
        }

        object message;
        try
        {
            message = decoder.Decode(topic, bytes);
        }
        catch (Exception e)
        {
            _onDeliveryError?.Invoke(topic, e);
            return;
        }

        Dispatch(topic, message, from: null);
    }

    public ValueTask DisposeAsync() => _adapter.DisposeAsync();

    /// <summary>An adapter that fails (its contract says it must not throw) never costs this node its local delivery.</summary>
    private void SendToOtherNodes(string topic, IPubSubMessage message)
    {
        try
        {
            _adapter.Broadcast(topic, message);
        }
        catch (Exception e)
        {
            _onDeliveryError?.Invoke(topic, e);
        }
    }

    private void Dispatch(string topic, object message, ISubscriber? from)
    {
        var batch = DispatchBatch;
        batch?.Begin();
        try
        {
            foreach (var subscriber in _registry.Subscribers(topic))
            {
                if (ReferenceEquals(subscriber, from))
                {
                    continue;
                }

                try
                {
                    subscriber.Deliver(topic, message);
                }
                catch (Exception e)
                {
                    _onDeliveryError?.Invoke(topic, e);
                }
            }
        }
        finally
        {
            batch?.End();
        }
    }
}
