using System.Buffers;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>Builds <see cref="ReadOnlySequence{T}"/>s split into chosen segments, as a pipe hands them out.</summary>
internal static class Sequences
{
    /// <summary>One segment per array (each may be a slice at an odd offset of a larger array).</summary>
    public static ReadOnlySequence<byte> Of(params ReadOnlyMemory<byte>[] segments)
    {
        if (segments.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(segments[0], 0);
        var last = first;
        foreach (var memory in segments.Skip(1))
        {
            last = last.Append(memory);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Splits <paramref name="bytes"/> at the given sizes (the remainder forms the last segment), each segment
    /// copied to offset 1 of its own array so that no segment starts aligned.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] sizes)
    {
        var parts = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        foreach (var size in sizes.Append(bytes.Length))
        {
            var take = Math.Min(size, bytes.Length - offset);
            if (take <= 0 && parts.Count > 0)
            {
                break;
            }

            var padded = new byte[take + 2];
            bytes.AsSpan(offset, take).CopyTo(padded.AsSpan(1));
            parts.Add(padded.AsMemory(1, take));
            offset += take;
        }

        return Of([.. parts]);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
