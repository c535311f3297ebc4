using System.Text;
using System.Threading.Channels;
using Fenix.PubSub.Broker;
using Fenix.PubSub.Redis.Diagnostics;
using Fenix.PubSub.Redis.Internal;
using StackExchange.Redis;

namespace Fenix.PubSub.Redis;

/// <summary>
/// The receive loop: reads the cluster channel in arrival order (one ordered queue, so each sender's messages stay in
/// order), keeps broadcasts on topics with local subscribers and direct messages for this node, and hands them to PubSub.
/// </summary>
public sealed partial class RedisAdapter
{
    /// <summary>The subscription to the cluster channel; null until the supervisor first subscribes. Set once.</summary>
    private volatile ChannelMessageQueue? _subscription;

    /// <summary>The receive loop; null until subscribed.</summary>
    private volatile Task? _receiver;

    /// <summary>The last codec name read and its bytes: most traffic uses one or two codecs, so most records decode none. Receive loop only.</summary>
    private byte[] _lastCodecBytes = [];

    private string _lastCodec = "";

    /// <summary>Messages the client received and the loop has not handled yet (the gauge <c>fenix.pubsub.redis.receive_backlog</c>).</summary>
    private long ReceiveBacklog => _subscription is { } queue && queue.TryGetCount(out var count) ? count : 0;

    private async Task ReceiveLoopAsync(ChannelMessageQueue subscription, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            ChannelMessage message;
            try
            {
                message = subscription.TryRead(out var next) ? next : await subscription.ReadAsync(stopping);
            }
            catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
            {
                return;
            }

            var body = (ReadOnlyMemory<byte>)message.Message;
            try
            {
                Deliver(body);
            }
            catch (Exception e)
            {
                // PubSub reports decoder and subscriber failures itself; anything else must not stop the loop.
                _log.Malformed(ChannelName, body.Length, e.Message);
            }
        }
    }

    /// <summary>Delivers the records of one PUBLISH; the body is copied (once) only when some record is for a local topic.</summary>
    private void Deliver(ReadOnlyMemory<byte> body)
    {
        if (!RedisEnvelope.TryReadHeader(body, out var sender, out var target, out var offset))
        {
            _log.Malformed(ChannelName, body.Length, "unknown envelope version");
            return;
        }

        var fromHere = sender.Span.SequenceEqual(_nodeNameUtf8);
        var forHere = target.IsEmpty ? !fromHere : target.Span.SequenceEqual(_nodeNameUtf8);
        if (fromHere && forHere)
        {
            ReadProbe(body, offset);
            return;
        }

        if (!forHere)
        {
            return; // this node's own broadcast (PubSub delivered it locally already), or a direct message for another node
        }

        ReadOnlyMemory<byte> owned = default;
        var received = 0;
        while (Envelope.TryReadRecord(body, ref offset, out var topicBytes, out var codecBytes, out var payload))
        {
            received++;
            var topic = Encoding.UTF8.GetString(topicBytes.Span);
            if (!_topics.ContainsKey(topic))
            {
                continue; // nobody here subscribes to it
            }

            if (owned.IsEmpty)
            {
                owned = body.ToArray(); // subscribers may keep payloads beyond this call
            }

            var start = offset - payload.Length;
            _inbound.DeliverRemote(topic, Codec(codecBytes.Span), owned.Slice(start, payload.Length));
        }

        if (offset < body.Length)
        {
            _log.Malformed(ChannelName, body.Length, $"a record at byte {offset} is truncated");
        }

        _metrics.Received(received);
    }

    private void ReadProbe(ReadOnlyMemory<byte> body, int offset)
    {
        if (Envelope.TryReadRecord(body, ref offset, out var topic, out var codec, out var payload)
            && topic.IsEmpty
            && codec.Span.SequenceEqual(RedisEnvelope.ProbeCodecUtf8)
            && RedisEnvelope.TryReadProbe(payload.Span, out var instance, out var sequence))
        {
            OnProbe(instance, sequence);
        }
    }

    private string Codec(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.SequenceEqual(_lastCodecBytes))
        {
            _lastCodecBytes = bytes.ToArray();
            _lastCodec = Encoding.UTF8.GetString(bytes);
        }

        return _lastCodec;
    }
}
