using System.Buffers.Binary;
using System.Text;
using Fenix.AspNetCore.Sockets;
using Fenix.AspNetCore.Transports;
using Fenix.AspNetCore.Transports.WebSockets;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;
using Xunit;

namespace Fenix.AspNetCore.Tests.Transports;

/// <summary>
/// Pushes of large payloads are composite frames (a head and tail of their own around a payload shared by every
/// recipient), queued and written without a per-recipient copy. On the wire they must be exactly the frames a
/// single-block encoding gives, and the slow-consumer bound must count them the same: the same frames are sent to two
/// connections, one as composite frames and one as single blocks, while the client reads nothing, so the bound is hit
/// part way through the queue; the bytes each client then receives, up to the close frame, must be identical.
/// </summary>
public sealed class SharedPayloadFrameTests
{
    [Theory]
    [InlineData(1, 600 * 1024)]
    [InlineData(2, 600 * 1024)]
    [InlineData(3, 250 * 1024)]
    [InlineData(4, 8 * 1024 * 1024)] // the default bound: nothing overflows, the server's close ends the stream
    public async Task Composite_frames_reach_the_wire_as_the_single_block_frames_would_also_past_the_slow_consumer_bound(int seed, int maxOutboundBytes)
    {
        var frames = RandomPushes(new Random(seed));
        Assert.Contains(frames, frame => frame.Rest is not null);

        var composite = await WireBytesAsync(frames, maxOutboundBytes);
        var whole = await WireBytesAsync([.. frames.Select(frame => new EncodedFrame(frame.ToArray(), frame.IsBinary))], maxOutboundBytes);

        Assert.Equal(whole, composite);

        // The bound counted each frame's full size (header, head, shared payload, tail): the frames that fit, then the close.
        var expected = Accepted(frames, maxOutboundBytes);
        var (texts, closeCode) = Frames(composite);
        Assert.Equal(expected, texts);
        Assert.Equal(expected < frames.Count ? 1013 : 1012, closeCode);
        if (expected < frames.Count)
        {
            Assert.True(expected > 1, "the bound should be hit part way through the queue");
        }
    }

    /// <summary>
    /// Writes <paramref name="frames"/> to a client that reads nothing until all were sent (its first frame is in a
    /// write that cannot complete, so every other frame waits in the queue and the bound decides deterministically),
    /// then closes, lets the client read, and returns everything it received up to the close frame.
    /// </summary>
    private static async Task<byte[]> WireBytesAsync(List<EncodedFrame> frames, int maxOutboundBytes)
    {
        await using var harness = WebSocketHarness.Start(options => options.MaxOutboundBytes = maxOutboundBytes);
        harness.Stream.HoldWrites();
        using (WriterBatch.Begin())
        {
            harness.Connection.Send(frames[0]); // written inline: the write hangs, holding the writer role
        }

        foreach (var frame in frames.Skip(1))
        {
            harness.Connection.Send(frame);
        }

        harness.Connection.Close(TransportCloseReason.Draining); // nothing if the bound closed it already
        harness.Stream.ReleaseWrites();
        return await harness.ReceiveRawUntilCloseAsync();
    }

    /// <summary>How many frames the bound lets in: the first (taken by the writer at once), then while the queue's wire bytes fit.</summary>
    private static int Accepted(List<EncodedFrame> frames, long maxOutboundBytes)
    {
        long queued = 0;
        for (var i = 1; i < frames.Count; i++)
        {
            var size = OutboundQueue.WireSize(new OutboundItem(frames[i].Head, WebSocketOpcode.Text, frames[i].Rest));
            if (queued > 0 && queued + size > maxOutboundBytes)
            {
                return i;
            }

            queued += size;
        }

        return frames.Count;
    }

    /// <summary>The number of text frames in <paramref name="wire"/> and the code of the close frame that ends it.</summary>
    private static (int Texts, int CloseCode) Frames(byte[] wire)
    {
        var texts = 0;
        var offset = 0;
        while (offset < wire.Length)
        {
            var opcode = (WebSocketOpcode)(wire[offset] & 0x0F);
            long length = wire[offset + 1] & 0x7F;
            var header = 2;
            if (length == 126)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(offset + 2));
                header = 4;
            }
            else if (length == 127)
            {
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(wire.AsSpan(offset + 2));
                header = 10;
            }

            if (opcode == WebSocketOpcode.Close)
            {
                return (texts, BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(offset + header)));
            }

            texts++;
            offset += header + (int)length;
        }

        return (texts, 0);
    }

    /// <summary>Pushes to one client: small frames and presence_states of a few shared payloads, some larger than the writer's buffer and its write slice.</summary>
    private static List<EncodedFrame> RandomPushes(Random random)
    {
        Payload Json(int size) => Payload.ParseUtf8Json(Encoding.UTF8.GetBytes("{\"u\":{\"metas\":[{\"x\":\"" + new string((char)('a' + random.Next(26)), size) + "\"}]}}"));
        Payload[] shared = [Json(50), Json(5_000), Json(20_000), Json(150_000)];
        var frames = new List<EncodedFrame>();
        for (var i = 0; i < 40; i++)
        {
            var payload = shared[random.Next(shared.Length)];
            frames.Add(V2JsonSerializer.Instance.EncodePush(new Message(random.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture), null, "rooms:lobby", "presence_state", payload)));
        }

        frames[0] = V2JsonSerializer.Instance.EncodePush(new Message("1", null, "rooms:lobby", "first", shared[0]));
        return frames;
    }
}
