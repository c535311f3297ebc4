namespace Fenix.PubSub.Adapters;

/// <summary>The single-node adapter: there are no other nodes, so nothing ever crosses.</summary>
public sealed class InProcessAdapter(string? nodeName = null) : IPubSubAdapter, IPubSubAdapterStatus
{
    public string NodeName { get; } = nodeName ?? $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Always true: there is nobody to lose.</summary>
    public bool IsConnected => true;

    public string Backend => "in-process (a single node)";

    public Task StartAsync(IPubSubInbound inbound, CancellationToken cancellationToken) => Task.CompletedTask;

    public void Broadcast(string topic, IPubSubMessage message)
    {
    }

    public void DirectBroadcast(string nodeName, string topic, IPubSubMessage message)
    {
    }

    public void TopicActivated(string topic)
    {
    }

    public void TopicDeactivated(string topic)
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
