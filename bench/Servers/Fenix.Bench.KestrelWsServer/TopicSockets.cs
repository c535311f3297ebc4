using System.Collections.Concurrent;

namespace Fenix.Bench.KestrelWsServer;

/// <summary>The sockets of each topic, and sending one message to all of them (optionally but one).</summary>
internal sealed class TopicSockets
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<RelaySocket, byte>> _topics = new(StringComparer.Ordinal);

    public void Add(string topic, RelaySocket socket) =>
        _topics.GetOrAdd(topic, static _ => new ConcurrentDictionary<RelaySocket, byte>()).TryAdd(socket, 0);

    public void Remove(string topic, RelaySocket socket)
    {
        if (_topics.TryGetValue(topic, out var sockets))
        {
            sockets.TryRemove(socket, out _);
        }
    }

    /// <summary>Sends to every socket of the topic but <paramref name="except"/>; completes when all sends did (as SignalR's group send).</summary>
    public Task SendAsync(string topic, ReadOnlyMemory<byte> message, RelaySocket? except = null)
    {
        if (!_topics.TryGetValue(topic, out var sockets))
        {
            return Task.CompletedTask;
        }

        List<Task>? pending = null;
        foreach (var (socket, _) in sockets)
        {
            if (ReferenceEquals(socket, except))
            {
                continue;
            }

            var send = socket.SendAsync(message);
            if (!send.IsCompleted)
            {
                (pending ??= []).Add(send);
            }
        }

        return pending is null ? Task.CompletedTask : Task.WhenAll(pending);
    }
}
