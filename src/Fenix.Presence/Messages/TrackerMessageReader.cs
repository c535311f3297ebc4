using System.Text;
using System.Text.Json;
using Fenix.Presence.Tracker;
using static Fenix.Presence.Messages.TrackerMessageWriter;

namespace Fenix.Presence.Messages;

/// <summary>
/// Decodes what <see cref="TrackerMessageWriter"/> encodes. Every read is bounds-checked and every count is checked
/// against the bytes left, so corrupt input fails with <see cref="InvalidDataException"/> instead of allocating wildly.
/// </summary>
internal ref struct TrackerMessageReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;
    private ReplicaRef[] _replicas;

    private TrackerMessageReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _position = 0;
        _replicas = [];
    }

    public static TrackerMessage Read(ReadOnlySpan<byte> bytes)
    {
        var reader = new TrackerMessageReader(bytes);
        try
        {
            return reader.ReadMessage();
        }
        catch (Exception e) when (e is ArgumentException or JsonException or IndexOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"Malformed tracker message: {e.Message}", e);
        }
    }

    private TrackerMessage ReadMessage()
    {
        var version = ReadByte();
        if (version != TrackerMessageWriter.Version)
        {
            throw new InvalidDataException($"Unsupported tracker message version {version} (this node speaks {TrackerMessageWriter.Version}).");
        }

        var kind = (MessageKind)ReadByte();
        var replicaCount = ReadCount(minBytesEach: 2);
        _replicas = new ReplicaRef[replicaCount];
        for (var i = 0; i < replicaCount; i++)
        {
            var name = ReadString();
            _replicas[i] = new ReplicaRef(name, (long)ReadVarint());
        }

        TrackerMessage message = kind switch
        {
            MessageKind.Heartbeat => ReadHeartbeat(),
            MessageKind.TransferRequest => new TransferRequestMessage((long)ReadVarint(), ReadReplica(), ReadClock()),
            MessageKind.TransferAck => ReadTransferAck(),
            MessageKind.GracefulPermdown => new GracefulPermdownMessage(ReadReplica()),
            _ => throw new InvalidDataException($"Unknown tracker message kind {(byte)kind}."),
        };

        if (_position != _bytes.Length)
        {
            throw new InvalidDataException($"{_bytes.Length - _position} unexpected bytes after a tracker message.");
        }

        return message;
    }

    private HeartbeatMessage ReadHeartbeat()
    {
        var sender = ReadReplica();
        var delta = ReadByte() switch
        {
            0 => null,
            1 => ReadDelta(),
            var other => throw new InvalidDataException($"Invalid heartbeat delta flag {other}."),
        };
        return new HeartbeatMessage(sender, delta, ReadClock());
    }

    private TransferAckMessage ReadTransferAck()
    {
        var requestId = (long)ReadVarint();
        var responder = ReadReplica();
        TrackerPayload payload = (PayloadKind)ReadByte() switch
        {
            PayloadKind.Delta => ReadDelta(),
            PayloadKind.Extract => new TrackerExtract(ReadContext(), ReadClouds(), ReadValues()),
            var other => throw new InvalidDataException($"Invalid transfer payload kind {(byte)other}."),
        };
        return new TransferAckMessage(requestId, responder, payload);
    }

    private TrackerDelta ReadDelta()
    {
        var start = ReadContext();
        var end = ReadContext();
        return new TrackerDelta(start, end, ReadClouds(), ReadValues());
    }

    private ReplicaClock ReadClock()
    {
        var owner = ReadReplica();
        return new ReplicaClock(owner, ReadContext());
    }

    private Dictionary<ReplicaRef, long> ReadContext()
    {
        var count = ReadCount(minBytesEach: 2);
        var context = new Dictionary<ReplicaRef, long>(count);
        for (var i = 0; i < count; i++)
        {
            var replica = ReadReplica();
            context[replica] = (long)ReadVarint();
        }

        return context;
    }

    private Dot[] ReadClouds()
    {
        var count = ReadCount(minBytesEach: 2);
        var clouds = new Dot[count];
        for (var i = 0; i < count; i++)
        {
            var replica = ReadReplica();
            clouds[i] = new Dot(replica, (long)ReadVarint());
        }

        return clouds;
    }

    private TrackerElement[] ReadValues()
    {
        var topicCount = ReadCount(minBytesEach: 1);
        var topics = new string[topicCount];
        for (var i = 0; i < topicCount; i++)
        {
            topics[i] = ReadString();
        }

        // topic, owner, key, replica, clock and at least "{}".
        var count = ReadCount(minBytesEach: 7);
        var values = new TrackerElement[count];
        for (var i = 0; i < count; i++)
        {
            var topicIndex = (int)ReadVarint();
            if ((uint)topicIndex >= (uint)topics.Length)
            {
                throw new InvalidDataException($"Topic index {topicIndex} is out of range.");
            }

            var owner = ReadString();
            var key = ReadString();
            var replica = ReadReplica();
            var clock = (long)ReadVarint();
            values[i] = new TrackerElement(topics[topicIndex], owner, key, ReadMeta(), new Dot(replica, clock));
        }

        return values;
    }

    private JsonElement ReadMeta()
    {
        var reader = new Utf8JsonReader(_bytes[_position..], isFinalBlock: true, state: default);
        var meta = JsonElement.ParseValue(ref reader);
        _position += (int)reader.BytesConsumed;
        return meta;
    }

    private ReplicaRef ReadReplica()
    {
        var index = ReadVarint();
        return index < (ulong)_replicas.Length
            ? _replicas[(int)index]
            : throw new InvalidDataException($"Replica index {index} is out of range.");
    }

    private string ReadString()
    {
        var length = ReadCount(minBytesEach: 1);
        var value = Encoding.UTF8.GetString(_bytes.Slice(_position, length));
        _position += length;
        return value;
    }

    /// <summary>A count of items that take at least <paramref name="minBytesEach"/> bytes each.</summary>
    private int ReadCount(int minBytesEach)
    {
        var count = ReadVarint();
        if (count > (ulong)((_bytes.Length - _position) / minBytesEach))
        {
            throw new InvalidDataException($"A count of {count} exceeds what the remaining {_bytes.Length - _position} bytes can hold.");
        }

        return (int)count;
    }

    private byte ReadByte()
    {
        if (_position >= _bytes.Length)
        {
            throw new InvalidDataException("The tracker message ends too early.");
        }

        return _bytes[_position++];
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("A varint is longer than 10 bytes.");
    }
}
