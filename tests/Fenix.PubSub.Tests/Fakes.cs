using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace Fenix.PubSub.Tests;

/// <summary>An adapter that records every call, in order, and can be told to throw.</summary>
internal sealed class RecordingAdapter(string nodeName = "node-a") : IPubSubAdapter
{
    private readonly Lock _lock = new();
    private readonly List<string> _calls = [];

    public string NodeName { get; } = nodeName;

    public IPubSubInbound? Inbound { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>When set, TopicActivated throws this (once) before recording anything.</summary>
    public Exception? ThrowOnNextActivation { get; set; }

    public List<(string Topic, IPubSubMessage Message)> Broadcasts { get; } = [];

    public List<(string Node, string Topic, IPubSubMessage Message)> DirectBroadcasts { get; } = [];

    /// <summary>Every call as text: "activate:t", "deactivate:t", "broadcast:t", "direct:n:t".</summary>
    public string[] Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public Task StartAsync(IPubSubInbound inbound, CancellationToken cancellationToken)
    {
        Inbound = inbound;
        return Task.CompletedTask;
    }

    public void Broadcast(string topic, IPubSubMessage message)
    {
        lock (_lock)
        {
            Broadcasts.Add((topic, message));
            _calls.Add($"broadcast:{topic}");
        }
    }

    public void DirectBroadcast(string nodeName, string topic, IPubSubMessage message)
    {
        lock (_lock)
        {
            DirectBroadcasts.Add((nodeName, topic, message));
            _calls.Add($"direct:{nodeName}:{topic}");
        }
    }

    public void TopicActivated(string topic)
    {
        if (ThrowOnNextActivation is { } exception)
        {
            ThrowOnNextActivation = null;
            throw exception;
        }

        lock (_lock)
        {
            _calls.Add($"activate:{topic}");
        }
    }

    public void TopicDeactivated(string topic)
    {
        lock (_lock)
        {
            _calls.Add($"deactivate:{topic}");
        }
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>A subscriber that records what it receives (thread-safe).</summary>
internal sealed class RecordingSubscriber(string name = "s") : ISubscriber
{
    private readonly ConcurrentQueue<(string Topic, object Message)> _received = new();

    public string Name { get; } = name;

    public (string Topic, object Message)[] Received => [.. _received];

    public object[] Messages => [.. _received.Select(r => r.Message)];

    public int Count => _received.Count;

    public void Deliver(string topic, object message) => _received.Enqueue((topic, message));

    public override string ToString() => Name;
}

/// <summary>A subscriber that breaks its contract by throwing.</summary>
internal sealed class ThrowingSubscriber : ISubscriber
{
    public int Calls;

    public void Deliver(string topic, object message)
    {
        Interlocked.Increment(ref Calls);
        throw new InvalidOperationException("subscriber failed");
    }
}

/// <summary>A cross-node message with codec "text": its bytes are the UTF-8 of <see cref="Text"/>.</summary>
internal sealed record TextMessage(string Text) : IPubSubMessage
{
    public const string CodecName = "text";

    public string Codec => CodecName;

    public void Encode(IBufferWriter<byte> output) => output.Write(Encoding.UTF8.GetBytes(Text));
}

/// <summary>Rebuilds <see cref="TextMessage"/>s, recording the topics it was asked about.</summary>
internal sealed class TextDecoder : IPubSubMessageDecoder
{
    public List<string> Topics { get; } = [];

    public string Codec => TextMessage.CodecName;

    public object Decode(string topic, ReadOnlyMemory<byte> bytes)
    {
        Topics.Add(topic);
        var text = Encoding.UTF8.GetString(bytes.Span);
        return text == "poison" ? throw new FormatException("cannot decode poison") : new TextMessage(text);
    }
}

/// <summary>One publisher's numbered message, to check ordering.</summary>
internal sealed record Numbered(int Publisher, int Sequence) : IPubSubMessage
{
    public string Codec => "numbered";

    public void Encode(IBufferWriter<byte> output)
    {
    }
}
