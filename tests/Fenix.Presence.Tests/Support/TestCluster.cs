using System.Buffers;
using Fenix.PubSub;

namespace Fenix.Presence.Tests.Support;

/// <summary>
/// An in-memory network of PubSub nodes: each node's adapter encodes a message once and hands the bytes to every other
/// reachable node, synchronously and in order, exactly as a broker adapter would (so the tracker codec is exercised on
/// every hop). Nodes can be isolated (a netsplit) and healed. <see cref="Delivered"/> counts hand-overs, so a test can
/// tell when the cluster has gone quiet.
/// </summary>
internal sealed class TestCluster
{
    private readonly Lock _lock = new();
    private readonly List<TestAdapter> _nodes = [];
    private readonly HashSet<string> _isolated = new(StringComparer.Ordinal);
    private long _delivered;

    public long Delivered => Interlocked.Read(ref _delivered);

    public TestAdapter Connect(string nodeName)
    {
        var adapter = new TestAdapter(this, nodeName);
        lock (_lock)
        {
            _nodes.Add(adapter);
        }

        return adapter;
    }

    /// <summary>Cuts a node off: nothing it sends arrives and nothing reaches it.</summary>
    public void Isolate(string nodeName)
    {
        lock (_lock)
        {
            _isolated.Add(nodeName);
        }
    }

    public void Heal(string nodeName)
    {
        lock (_lock)
        {
            _isolated.Remove(nodeName);
        }
    }

    internal void Disconnect(TestAdapter adapter)
    {
        lock (_lock)
        {
            _nodes.Remove(adapter);
        }
    }

    internal void Send(TestAdapter from, string? toNode, string topic, IPubSubMessage message)
    {
        List<TestAdapter> targets;
        lock (_lock)
        {
            if (_isolated.Contains(from.NodeName))
            {
                return;
            }

            targets = [.. _nodes.Where(n => n != from && n.Inbound is not null && !_isolated.Contains(n.NodeName)
                && (toNode is null || n.NodeName == toNode))];
        }

        if (targets.Count == 0)
        {
            return;
        }

        var bytes = new ArrayBufferWriter<byte>();
        message.Encode(bytes);
        foreach (var target in targets)
        {
            Interlocked.Increment(ref _delivered);
            target.Inbound!.DeliverRemote(topic, message.Codec, bytes.WrittenMemory);
        }
    }
}

/// <summary>One node's door into a <see cref="TestCluster"/>.</summary>
internal sealed class TestAdapter(TestCluster cluster, string nodeName) : IPubSubAdapter
{
    public string NodeName { get; } = nodeName;

    public IPubSubInbound? Inbound { get; private set; }

    public Task StartAsync(IPubSubInbound inbound, CancellationToken cancellationToken)
    {
        Inbound = inbound;
        return Task.CompletedTask;
    }

    public void Broadcast(string topic, IPubSubMessage message) => cluster.Send(this, null, topic, message);

    public void DirectBroadcast(string nodeName, string topic, IPubSubMessage message) => cluster.Send(this, nodeName, topic, message);

    public void TopicActivated(string topic)
    {
    }

    public void TopicDeactivated(string topic)
    {
    }

    public ValueTask DisposeAsync()
    {
        cluster.Disconnect(this);
        return ValueTask.CompletedTask;
    }
}
