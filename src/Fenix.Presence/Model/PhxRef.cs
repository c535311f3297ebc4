using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Fenix.Presence;

/// <summary>
/// Makes <c>phx_ref</c>s: 16 URL-safe Base64 characters (12 bytes, like Phoenix's) made of a random prefix drawn once
/// per generator and a counter seeded from the clock, so refs never repeat within a generator and collide across
/// nodes only if two random 32-bit prefixes and two clock-seeded counters all coincide. Thread-safe, lock-free.
/// </summary>
internal sealed class PhxRef
{
    private readonly uint _prefix;
    private long _counter;

    public PhxRef(TimeProvider time)
    {
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        _prefix = BinaryPrimitives.ReadUInt32BigEndian(random);
        _counter = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
    }

    public string Next()
    {
        Span<byte> bytes = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, _prefix);
        BinaryPrimitives.WriteInt64BigEndian(bytes[4..], Interlocked.Increment(ref _counter));
        return Base64Url.EncodeToString(bytes);
    }
}
