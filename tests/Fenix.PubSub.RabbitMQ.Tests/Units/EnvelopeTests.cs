using System.Buffers;
using System.Text;
using Fenix.PubSub.Broker;
using Fenix.PubSub.RabbitMQ.Internal;
using Xunit;

namespace Fenix.PubSub.RabbitMQ.Tests.Units;

public sealed class EnvelopeTests
{
    [Fact]
    public void Batches_pack_consecutive_messages_for_one_destination_and_read_back_in_order()
    {
        var batch = new BatchBuilder(Envelope.Header("node-ü"), maxBytes: 1024, maxMessages: 3);
        Assert.True(batch.TryAdd(Message("ex", "t1", "a")));
        Assert.True(batch.TryAdd(Message("ex", "t1", "")));
        Assert.False(batch.TryAdd(Message("ex", "t2", "other key")));
        Assert.False(batch.TryAdd(Message("", "t1", "other exchange")));
        Assert.True(batch.TryAdd(Message("ex", "t1", new string('z', 200))));
        Assert.False(batch.TryAdd(Message("ex", "t1", "fourth"))); // the count limit

        Assert.True(Envelope.TryReadHeader(batch.Body, out var sender, out var offset));
        Assert.Equal("node-ü", Encoding.UTF8.GetString(sender.Span));
        var records = new List<(string, string, string)>();
        while (Envelope.TryReadRecord(batch.Body, ref offset, out var topic, out var codec, out var payload))
        {
            records.Add((Encoding.UTF8.GetString(topic.Span), Encoding.UTF8.GetString(codec.Span), Encoding.UTF8.GetString(payload.Span)));
        }

        Assert.Equal([("t1", "c", "a"), ("t1", "c", ""), ("t1", "c", new string('z', 200))], records);
        Assert.Equal(batch.Body.Length, offset);
        Assert.Equal(("ex", "t1", 3), (batch.Destination, batch.Route, batch.Count));
    }

    [Fact]
    public void A_batch_stops_before_its_byte_limit_but_an_empty_batch_takes_any_message()
    {
        var batch = new BatchBuilder(Envelope.Header("n"), maxBytes: 300, maxMessages: 100);
        Assert.True(batch.TryAdd(Message("ex", "t", new string('a', 200))));
        Assert.False(batch.TryAdd(Message("ex", "t", new string('b', 200))));
        batch.Reset();
        Assert.True(batch.TryAdd(Message("ex", "t", new string('c', 5000))));
        Assert.Equal(1, batch.Count);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 2, 1, (byte)'n' })]
    [InlineData(new byte[] { 1, 5, (byte)'n' })]
    [InlineData(new byte[] { 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })]
    public void Malformed_headers_are_refused(byte[] body) =>
        Assert.False(Envelope.TryReadHeader(body, out _, out _));

    [Fact]
    public void A_truncated_record_ends_the_reading()
    {
        var writer = new ArrayBufferWriter<byte>();
        writer.Write(Envelope.Header("n"));
        Envelope.WriteRecord(writer, "topic", "codec", "payload"u8);
        var body = writer.WrittenMemory[..^3];
        Assert.True(Envelope.TryReadHeader(body, out _, out var offset));
        Assert.False(Envelope.TryReadRecord(body, ref offset, out _, out _, out _));
    }

    [Fact]
    public void Long_topics_get_a_hashed_routing_key_and_short_ones_keep_theirs()
    {
        Assert.Equal("rooms:lobby", BrokerNames.RoutingKey("rooms:lobby"));
        var longTopic = new string('é', 200); // 400 bytes
        var key = BrokerNames.RoutingKey(longTopic);
        Assert.StartsWith("#sha256:", key, StringComparison.Ordinal);
        Assert.True(BrokerNames.Fits(key));
        Assert.NotEqual(key, BrokerNames.RoutingKey(longTopic + "!"));
    }

    private static OutgoingMessage Message(string exchange, string routingKey, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, bytes.Length));
        bytes.CopyTo(buffer, 0);
        return new OutgoingMessage(exchange, routingKey, routingKey, "c", buffer, bytes.Length);
    }
}
