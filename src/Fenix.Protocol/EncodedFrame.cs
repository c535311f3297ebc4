namespace Fenix.Protocol;

/// <summary>
/// One serialized frame, ready for a transport: text (UTF-8 JSON) or binary. Usually one block of bytes
/// (<see cref="Head"/>). A push of a large payload that many recipients share (a crowd's <c>presence_state</c>) is
/// <em>composite</em> instead: this recipient's own head, the shared payload's bytes (never copied per recipient) and
/// a tail (<see cref="Rest"/>); its bytes in that order are exactly the single-block encoding's.
/// </summary>
internal readonly record struct EncodedFrame(ReadOnlyMemory<byte> Head, bool IsBinary, SharedFrameRest? Rest = null)
{
    /// <summary>The frame's length in bytes, all parts.</summary>
    public int Length => Head.Length + (Rest?.Length ?? 0);

    /// <summary>The whole frame in one block: <see cref="Head"/> itself, or a copy of the parts of a composite frame.</summary>
    public ReadOnlyMemory<byte> Data => Rest is null ? Head : Concat();

    /// <summary>A copy of the whole frame in an array of its own.</summary>
    public byte[] ToArray() => Rest is null ? Head.ToArray() : Concat();

    private byte[] Concat()
    {
        var bytes = new byte[Length];
        Head.Span.CopyTo(bytes);
        Rest!.CopyTo(bytes.AsSpan(Head.Length));
        return bytes;
    }
}

/// <summary>
/// What follows a composite frame's head: a payload shared by every recipient (immutable, referenced, not copied) and
/// this recipient's tail (what closes the frame after the payload, e.g. <c>]</c>).
/// </summary>
internal sealed class SharedFrameRest(ReadOnlyMemory<byte> shared, ReadOnlyMemory<byte> tail)
{
    public ReadOnlyMemory<byte> Shared { get; } = shared;

    public ReadOnlyMemory<byte> Tail { get; } = tail;

    public int Length => Shared.Length + Tail.Length;

    public void CopyTo(Span<byte> destination)
    {
        Shared.Span.CopyTo(destination);
        Tail.Span.CopyTo(destination[Shared.Length..]);
    }
}
