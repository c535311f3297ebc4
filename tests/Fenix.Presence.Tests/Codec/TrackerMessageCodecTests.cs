using System.Buffers;
using System.Text.Json;
using Fenix.Presence.Messages;
using Fenix.Presence.Tracker;
using Fenix.PubSub;
using Xunit;

namespace Fenix.Presence.Tests.Codec;

/// <summary>Round trips of every tracker message through the binary codec and the registered PubSub decoder.</summary>
public sealed class TrackerMessageCodecTests
{
    private static readonly ReplicaRef A = new("node-a", 638_700_000_000_000_001);
    private static readonly ReplicaRef B = new("nœud-b ✓", 2);

    [Fact]
    public void A_heartbeat_with_a_delta_round_trips_values_clouds_ranges_and_clocks()
    {
        var state = new TrackerState(A);
        state.ReplicaUp(B);
        state.Join("a/1", "room:1", "alice", Meta("r1", ("name", "Alice ✓"), ("nested", new { x = 1, y = new[] { true } })));
        state.Join("a/2", "room:1", "bob", Meta("r2"));
        state.Join("a/3", "room:2", "carol", Meta("r3"));
        state.Leave("a/2", "room:1", "bob");
        var delta = state.TakeDelta();

        var decoded = Assert.IsType<HeartbeatMessage>(RoundTrip(new HeartbeatMessage(A, delta, state.Clocks())));

        Assert.Equal(A, decoded.Sender);
        AssertPayload(delta, decoded.Delta!);
        Assert.Equal(delta.RangeStart, decoded.Delta!.RangeStart);
        Assert.Equal(delta.RangeEnd, decoded.Delta.RangeEnd);
        Assert.Equal(A, decoded.Clocks.Replica);
        Assert.Equal(state.Clocks().Context, decoded.Clocks.Context);
    }

    [Fact]
    public void An_empty_heartbeat_carries_no_delta()
    {
        var clocks = new ReplicaClock(A, new Dictionary<ReplicaRef, long> { [A] = 7, [B] = 3 });

        var decoded = Assert.IsType<HeartbeatMessage>(RoundTrip(new HeartbeatMessage(A, null, clocks)));

        Assert.Null(decoded.Delta);
        Assert.Equal(clocks.Context, decoded.Clocks.Context);
    }

    [Fact]
    public void Transfer_requests_and_acks_round_trip()
    {
        var state = new TrackerState(A);
        state.ReplicaUp(B);
        for (var i = 0; i < 50; i++)
        {
            state.Join($"a/{i}", "room:big", $"user{i}", Meta($"r{i}"));
        }

        state.Merge(new TrackerDelta(
            new Dictionary<ReplicaRef, long> { [B] = 0 },
            new Dictionary<ReplicaRef, long> { [B] = 5 },
            [new Dot(B, 5)],
            [new TrackerElement("room:big", "b/1", "zed", Meta("rb"), new Dot(B, 5))]));
        var requesterClocks = new ReplicaClock(B, new Dictionary<ReplicaRef, long> { [A] = 0, [B] = 4 });
        var extract = state.Extract(requesterClocks);

        var request = Assert.IsType<TransferRequestMessage>(RoundTrip(new TransferRequestMessage(42, B, requesterClocks)));
        var ack = Assert.IsType<TransferAckMessage>(RoundTrip(new TransferAckMessage(42, A, extract)));

        Assert.Equal((42L, B), (request.RequestId, request.Sender));
        Assert.Equal(requesterClocks.Context, request.Clocks.Context);
        Assert.Equal((42L, A), (ack.RequestId, ack.Sender));
        var decodedExtract = Assert.IsType<TrackerExtract>(ack.Payload);
        AssertPayload(extract, decodedExtract);
        Assert.Equal(extract.Context, decodedExtract.Context);
        Assert.Equal(50, decodedExtract.Values.Count);
    }

    [Fact]
    public void A_transfer_ack_may_carry_a_delta_and_graceful_permdown_names_its_sender()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "t", "k", Meta("r"));
        var delta = state.TakeDelta();

        var ack = Assert.IsType<TransferAckMessage>(RoundTrip(new TransferAckMessage(1, A, delta)));
        var permdown = Assert.IsType<GracefulPermdownMessage>(RoundTrip(new GracefulPermdownMessage(B)));

        AssertPayload(delta, Assert.IsType<TrackerDelta>(ack.Payload));
        Assert.Equal(B, permdown.Sender);
    }

    [Fact]
    public void Topics_are_written_once_per_message()
    {
        var state = new TrackerState(A);
        const string topic = "rooms:a-rather-long-topic-name-for-a-large-room";
        for (var i = 0; i < 1_000; i++)
        {
            state.Join($"a/{i}", topic, $"u{i}", Meta($"r{i}"));
        }

        var bytes = Encode(new TransferAckMessage(1, A, state.Extract(B, new Dictionary<ReplicaRef, long> { [A] = 0 })));

        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Equal(1, CountOccurrences(text, topic));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 9, 1, 0 })] // unknown version
    [InlineData(new byte[] { 1, 77, 0 })] // unknown kind
    [InlineData(new byte[] { 1, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })] // absurd replica count
    [InlineData(new byte[] { 1, 4, 1, 1, (byte)'a', 1, 5 })] // replica index out of range
    public void Corrupt_input_fails_with_invalid_data(byte[] bytes)
    {
        Assert.Throws<InvalidDataException>(() => new TrackerMessageDecoder().Decode("t", bytes));
    }

    [Fact]
    public void Truncated_messages_fail_with_invalid_data_at_every_length()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "room", "alice", Meta("r1", ("x", "y")));
        var bytes = Encode(new HeartbeatMessage(A, state.TakeDelta(), state.Clocks()));

        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            Assert.Throws<InvalidDataException>(() => new TrackerMessageDecoder().Decode("t", prefix));
        }
    }

    [Fact]
    public void The_decoder_is_found_by_pubsub_under_the_message_codec()
    {
        var pubSub = new FenixPubSub();
        var inbox = new List<object>();
        pubSub.RegisterDecoder(new TrackerMessageDecoder());
        pubSub.Subscribe("phx_presence:x", new Collect(inbox));
        var message = new GracefulPermdownMessage(A);

        ((IPubSubInbound)pubSub).DeliverRemote("phx_presence:x", ((IPubSubMessage)message).Codec, Encode(message));

        Assert.Equal(A, Assert.IsType<GracefulPermdownMessage>(Assert.Single(inbox)).Sender);
    }

    private static TrackerMessage RoundTrip(TrackerMessage message) =>
        Assert.IsAssignableFrom<TrackerMessage>(new TrackerMessageDecoder().Decode("phx_presence:s", Encode(message)));

    private static byte[] Encode(TrackerMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        message.Encode(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static void AssertPayload(TrackerPayload expected, TrackerPayload actual)
    {
        Assert.Equal(expected.Clouds.ToHashSet(), actual.Clouds.ToHashSet());
        var expectedValues = expected.Values.OrderBy(Describe, StringComparer.Ordinal).ToList();
        var actualValues = actual.Values.OrderBy(Describe, StringComparer.Ordinal).ToList();
        Assert.Equal(expectedValues.Select(Describe), actualValues.Select(Describe));
        for (var i = 0; i < expectedValues.Count; i++)
        {
            Assert.True(
                JsonElement.DeepEquals(expectedValues[i].Meta, actualValues[i].Meta),
                $"{expectedValues[i].Meta.GetRawText()} != {actualValues[i].Meta.GetRawText()}");
        }
    }

    private static string Describe(TrackerElement e) => $"{e.Topic}|{e.Owner}|{e.Key}|{e.Dot}";

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static JsonElement Meta(string phxRef, params (string Name, object Value)[] fields)
    {
        var map = new Dictionary<string, object> { ["phx_ref"] = phxRef };
        foreach (var (name, value) in fields)
        {
            map[name] = value;
        }

        return JsonSerializer.SerializeToElement(map);
    }

    private sealed class Collect(List<object> inbox) : ISubscriber
    {
        public void Deliver(string topic, object message) => inbox.Add(message);
    }
}
