using Fenix.PubSub.Broker;
using Fenix.PubSub.Redis.Internal;
using Xunit;

namespace Fenix.PubSub.Redis.Tests.Units;

public sealed class RedisEnvelopeTests
{
    [Fact]
    public void A_batch_carries_its_sender_and_target_before_the_records()
    {
        var batch = new BatchBuilder(target => RedisEnvelope.Header("node-ü", target), maxBytes: 1024, maxMessages: 10);
        Assert.True(batch.TryAdd(Message("", "t1", "a")));
        Assert.True(batch.TryAdd(Message("", "t2", "b")));
        Assert.False(batch.TryAdd(Message("other", "t1", "direct"))); // another target: the next PUBLISH

        Assert.True(RedisEnvelope.TryReadHeader(batch.Body, out var sender, out var target, out var offset));
        Assert.Equal("node-ü", System.Text.Encoding.UTF8.GetString(sender.Span));
        Assert.True(target.IsEmpty);
        Assert.True(Envelope.TryReadRecord(batch.Body, ref offset, out _, out _, out var first));
        Assert.True(Envelope.TryReadRecord(batch.Body, ref offset, out _, out _, out var second));
        Assert.Equal(("a", "b"), (Text(first), Text(second)));
        Assert.Equal(batch.Body.Length, offset);

        batch.Reset();
        Assert.True(batch.TryAdd(Message("other", "t1", "direct")));
        Assert.True(RedisEnvelope.TryReadHeader(batch.Body, out _, out target, out _));
        Assert.Equal("other", Text(target));
    }

    [Fact]
    public void A_probe_reads_back_its_instance_and_sequence_and_nothing_else_passes_for_one()
    {
        var instance = Guid.NewGuid();
        var probe = RedisEnvelope.Probe("n1", instance, 42);

        Assert.True(RedisEnvelope.TryReadHeader(probe, out var sender, out var target, out var offset));
        Assert.Equal(("n1", "n1"), (Text(sender), Text(target)));
        Assert.True(Envelope.TryReadRecord(probe, ref offset, out var topic, out var codec, out var payload));
        Assert.True(topic.IsEmpty);
        Assert.Equal(RedisEnvelope.ProbeCodec, Text(codec));
        Assert.True(RedisEnvelope.TryReadProbe(payload.Span, out var readInstance, out var sequence));
        Assert.Equal((instance, 42L), (readInstance, sequence));
        Assert.False(RedisEnvelope.TryReadProbe(new byte[23], out _, out _));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 1, (byte)'n' })]
    [InlineData(new byte[] { 1, 1, (byte)'n', 5, (byte)'t' })]
    public void Headers_without_a_complete_target_are_refused(byte[] body) =>
        Assert.False(RedisEnvelope.TryReadHeader(body, out _, out _, out _));

    [Theory]
    [InlineData("127.0.0.1:6379,password=s3cret", "127.0.0.1:6379,password=***")]
    [InlineData("h:1, Password=x,ssl=true", "h:1,password=***,ssl=true")]
    [InlineData("h:1", "h:1")]
    public void Passwords_are_redacted_from_descriptions(string configuration, string expected) =>
        Assert.Equal(expected, RedisAdapterOptions.Redact(configuration));

    private static string Text(ReadOnlyMemory<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes.Span);

    private static OutgoingMessage Message(string target, string topic, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, bytes.Length));
        bytes.CopyTo(buffer, 0);
        return new OutgoingMessage("channel", target, topic, "c", buffer, bytes.Length);
    }
}
