namespace Fenix.Bench.LoadGen;

/// <summary>
/// One client's presence list as a bit set over user numbers (the scenario's users are <c>u0</c>, <c>u1</c>, …):
/// thousands of clients each holding thousands of members stay small, and a join seen twice counts once, as in the
/// JS client's keyed state.
/// </summary>
internal sealed class PresenceMembers
{
    private ulong[] _bits = [];

    public int Count { get; private set; }

    /// <summary>Adds (join) or removes (leave) the user named by <paramref name="key"/>; other keys are ignored.</summary>
    public void Apply(ReadOnlySpan<byte> key, bool join)
    {
        if (key.Length < 2 || key[0] != (byte)'u' || !System.Buffers.Text.Utf8Parser.TryParse(key[1..], out int user, out var used) || used != key.Length - 1 || user < 0)
        {
            return;
        }

        var word = user / 64;
        if (word >= _bits.Length)
        {
            Array.Resize(ref _bits, Math.Max(word + 1, _bits.Length * 2));
        }

        var mask = 1UL << (user % 64);
        var present = (_bits[word] & mask) != 0;
        if (join && !present)
        {
            _bits[word] |= mask;
            Count++;
        }
        else if (!join && present)
        {
            _bits[word] &= ~mask;
            Count--;
        }
    }

    public void Clear()
    {
        Array.Clear(_bits);
        Count = 0;
    }
}
