using System.Buffers;
using System.Buffers.Binary;
using Fenix.PubSub.Broker;

namespace Fenix.PubSub.Redis.Internal;

/// <summary>
/// The Redis adapter's message body: the shared envelope (version, sender, records) with one more header field, the
/// node the records are for ("" for every node), because every node reads the one cluster channel. A probe is an
/// envelope from a node to itself with one record on the reserved empty topic: the instance id and a sequence number.
/// </summary>
internal static class RedisEnvelope
{
    /// <summary>The codec of probe records (on the empty topic, which no node routes to subscribers).</summary>
    public const string ProbeCodec = "fenix.redis.probe";

    public static ReadOnlySpan<byte> ProbeCodecUtf8 => "fenix.redis.probe"u8;

    /// <summary>The target of a broadcast: every node.</summary>
    public const string EveryNode = "";

    public static byte[] Header(string sender, string target) => Envelope.Header(sender, target);

    /// <summary>Reads the header; false when the body is not an envelope of this version.</summary>
    public static bool TryReadHeader(ReadOnlyMemory<byte> body, out ReadOnlyMemory<byte> sender, out ReadOnlyMemory<byte> target, out int recordsStart)
    {
        target = default;
        return Envelope.TryReadHeader(body, out sender, out recordsStart) && Envelope.TryReadField(body, ref recordsStart, out target);
    }

    /// <summary>A whole probe message from <paramref name="node"/> (instance <paramref name="instance"/>) to itself.</summary>
    public static byte[] Probe(string node, Guid instance, long sequence)
    {
        Span<byte> payload = stackalloc byte[24];
        instance.TryWriteBytes(payload);
        BinaryPrimitives.WriteInt64LittleEndian(payload[16..], sequence);
        var writer = new ArrayBufferWriter<byte>(64 + (3 * node.Length));
        writer.Write(Header(node, node));
        Envelope.WriteRecord(writer, "", ProbeCodec, payload);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a probe record's payload; false when it is not one.</summary>
    public static bool TryReadProbe(ReadOnlySpan<byte> payload, out Guid instance, out long sequence)
    {
        instance = default;
        sequence = 0;
        if (payload.Length != 24)
        {
            return false;
        }

        instance = new Guid(payload[..16]);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(payload[16..]);
        return true;
    }
}
