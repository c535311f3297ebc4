using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Fenix.Presence.Tracker;

namespace Fenix.Presence.Messages;

/// <summary>
/// Encodes <see cref="TrackerMessage"/>s in a compact binary layout (version 1). Integers are unsigned LEB128
/// varints; strings are a varint byte length and UTF-8; replicas and topics are written once in tables and then
/// named by their index, so a ten-thousand-entry transfer of one room carries the room's name once.
/// <code>
/// message   = version:u8(1) kind:u8 replicas body
/// replicas  = count (name:string vsn:varint)*
/// kind 1 heartbeat          body = sender:idx has_delta:u8 [delta] clock
/// kind 2 transfer_req       body = request_id:varint requester:idx clock
/// kind 3 transfer_ack       body = request_id:varint responder:idx payload_kind:u8(1 delta, 2 extract) (delta | extract)
/// kind 4 graceful_permdown  body = sender:idx
/// clock     = owner:idx context
/// context   = count (replica:idx clock:varint)*
/// clouds    = count (replica:idx clock:varint)*
/// delta     = range_start:context range_end:context clouds values
/// extract   = context clouds values
/// values    = topic_count topic:string* count (topic:idx owner:string key:string replica:idx clock:varint meta:json)*
/// </code>
/// A meta is one JSON object written as its UTF-8 text; it delimits itself, so it needs no length prefix.
/// </summary>
internal sealed class TrackerMessageWriter
{
    public const byte Version = 1;

    private readonly IBufferWriter<byte> _output;
    private readonly Dictionary<ReplicaRef, int> _replicas = [];
    private readonly List<ReplicaRef> _replicaOrder = [];

    private TrackerMessageWriter(IBufferWriter<byte> output) => _output = output;

    internal enum MessageKind : byte
    {
        Heartbeat = 1,
        TransferRequest = 2,
        TransferAck = 3,
        GracefulPermdown = 4,
    }

    internal enum PayloadKind : byte
    {
        Delta = 1,
        Extract = 2,
    }

    public static void Write(TrackerMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        var writer = new TrackerMessageWriter(output);
        writer.CollectReplicas(message);
        writer.WriteByte(Version);
        writer.WriteByte((byte)KindOf(message));
        writer.WriteVarint((ulong)writer._replicaOrder.Count);
        foreach (var replica in writer._replicaOrder)
        {
            writer.WriteString(replica.Name);
            writer.WriteVarint((ulong)replica.Vsn);
        }

        switch (message)
        {
            case HeartbeatMessage heartbeat:
                writer.WriteReplica(heartbeat.Sender);
                writer.WriteByte(heartbeat.Delta is null ? (byte)0 : (byte)1);
                if (heartbeat.Delta is { } delta)
                {
                    writer.WriteDelta(delta);
                }

                writer.WriteClock(heartbeat.Clocks);
                break;
            case TransferRequestMessage request:
                writer.WriteVarint((ulong)request.RequestId);
                writer.WriteReplica(request.Sender);
                writer.WriteClock(request.Clocks);
                break;
            case TransferAckMessage ack:
                writer.WriteVarint((ulong)ack.RequestId);
                writer.WriteReplica(ack.Sender);
                if (ack.Payload is TrackerDelta ackDelta)
                {
                    writer.WriteByte((byte)PayloadKind.Delta);
                    writer.WriteDelta(ackDelta);
                }
                else
                {
                    writer.WriteByte((byte)PayloadKind.Extract);
                    writer.WriteContext(ack.Payload.Context);
                    writer.WriteClouds(ack.Payload.Clouds);
                    writer.WriteValues(ack.Payload.Values);
                }

                break;
            case GracefulPermdownMessage permdown:
                writer.WriteReplica(permdown.Sender);
                break;
        }
    }

    private static MessageKind KindOf(TrackerMessage message) => message switch
    {
        HeartbeatMessage => MessageKind.Heartbeat,
        TransferRequestMessage => MessageKind.TransferRequest,
        TransferAckMessage => MessageKind.TransferAck,
        GracefulPermdownMessage => MessageKind.GracefulPermdown,
        _ => throw new ArgumentException($"Unknown tracker message {message.GetType().Name}.", nameof(message)),
    };

    private void CollectReplicas(TrackerMessage message)
    {
        Intern(message.Sender);
        switch (message)
        {
            case HeartbeatMessage heartbeat:
                if (heartbeat.Delta is { } delta)
                {
                    CollectPayload(delta);
                }

                CollectClock(heartbeat.Clocks);
                break;
            case TransferRequestMessage request:
                CollectClock(request.Clocks);
                break;
            case TransferAckMessage ack:
                CollectPayload(ack.Payload);
                break;
        }
    }

    private void CollectClock(ReplicaClock clock)
    {
        Intern(clock.Replica);
        CollectContext(clock.Context);
    }

    private void CollectPayload(TrackerPayload payload)
    {
        if (payload is TrackerDelta delta)
        {
            CollectContext(delta.RangeStart);
            CollectContext(delta.RangeEnd);
        }

        CollectContext(payload.Context);
        foreach (var dot in payload.Clouds)
        {
            Intern(dot.Replica);
        }

        foreach (var element in payload.Values)
        {
            Intern(element.Replica);
        }
    }

    private void CollectContext(IReadOnlyDictionary<ReplicaRef, long> context)
    {
        foreach (var replica in context.Keys)
        {
            Intern(replica);
        }
    }

    private void Intern(ReplicaRef replica)
    {
        if (_replicas.TryAdd(replica, _replicaOrder.Count))
        {
            _replicaOrder.Add(replica);
        }
    }

    private void WriteDelta(TrackerDelta delta)
    {
        WriteContext(delta.RangeStart);
        WriteContext(delta.RangeEnd);
        WriteClouds(delta.Clouds);
        WriteValues(delta.Values);
    }

    private void WriteClock(ReplicaClock clock)
    {
        WriteReplica(clock.Replica);
        WriteContext(clock.Context);
    }

    private void WriteContext(IReadOnlyDictionary<ReplicaRef, long> context)
    {
        WriteVarint((ulong)context.Count);
        foreach (var (replica, clock) in context)
        {
            WriteReplica(replica);
            WriteVarint((ulong)clock);
        }
    }

    private void WriteClouds(IReadOnlyList<Dot> clouds)
    {
        WriteVarint((ulong)clouds.Count);
        foreach (var dot in clouds)
        {
            WriteReplica(dot.Replica);
            WriteVarint((ulong)dot.Clock);
        }
    }

    private void WriteValues(IReadOnlyList<TrackerElement> values)
    {
        var topics = new Dictionary<string, int>(StringComparer.Ordinal);
        var topicOrder = new List<string>();
        foreach (var element in values)
        {
            if (topics.TryAdd(element.Topic, topicOrder.Count))
            {
                topicOrder.Add(element.Topic);
            }
        }

        WriteVarint((ulong)topicOrder.Count);
        foreach (var topic in topicOrder)
        {
            WriteString(topic);
        }

        WriteVarint((ulong)values.Count);
        foreach (var element in values)
        {
            WriteVarint((ulong)topics[element.Topic]);
            WriteString(element.Owner);
            WriteString(element.Key);
            WriteReplica(element.Replica);
            WriteVarint((ulong)element.Dot.Clock);
            WriteMeta(element.Meta);
        }
    }

    private void WriteMeta(JsonElement meta)
    {
        // The stored text of the meta as it was parsed: copied, not re-serialized.
        var raw = JsonMarshal.GetRawUtf8Value(meta);
        raw.CopyTo(_output.GetSpan(raw.Length));
        _output.Advance(raw.Length);
    }

    private void WriteReplica(ReplicaRef replica) => WriteVarint((ulong)_replicas[replica]);

    private void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)length);
        var span = _output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        _output.Advance(length);
    }

    private void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    private void WriteVarint(ulong value)
    {
        var span = _output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _output.Advance(i);
    }
}
