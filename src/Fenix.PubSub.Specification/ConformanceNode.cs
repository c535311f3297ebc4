namespace Fenix.PubSub.Specification;

/// <summary>One node of a conformance test: a <see cref="FenixPubSub"/> over the adapter under test, with its delivery errors.</summary>
public sealed class ConformanceNode : IAsyncDisposable
{
    private readonly List<(string Topic, Exception Error)> _deliveryErrors = [];
    private readonly TimeSpan _timeout;
    private int _disposed;

    internal ConformanceNode(string name, IPubSubAdapter adapter, TimeSpan timeout)
    {
        Name = name;
        Adapter = adapter;
        _timeout = timeout;
        PubSub = new FenixPubSub(adapter, (topic, error) =>
        {
            lock (_deliveryErrors)
            {
                _deliveryErrors.Add((topic, error));
            }
        });
        PubSub.RegisterDecoder(new ConformanceMessageDecoder());
    }

    public string Name { get; }

    public IPubSubAdapter Adapter { get; }

    public FenixPubSub PubSub { get; }

    public bool IsStopped => _disposed != 0;

    /// <summary>Errors PubSub reported (undecodable messages, failing subscribers), in order.</summary>
    public IReadOnlyList<(string Topic, Exception Error)> DeliveryErrors
    {
        get
        {
            lock (_deliveryErrors)
            {
                return [.. _deliveryErrors];
            }
        }
    }

    /// <summary>Subscribes a new recording subscriber to <paramref name="topic"/>.</summary>
    public RecordingSubscriber Subscribe(string topic, string? name = null)
    {
        var subscriber = new RecordingSubscriber(name ?? $"{Name}/{topic}", _timeout);
        PubSub.Subscribe(topic, subscriber);
        return subscriber;
    }

    public void Broadcast(string topic, string text) => PubSub.Broadcast(topic, new ConformanceMessage(text));

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? PubSub.DisposeAsync() : ValueTask.CompletedTask;
}
