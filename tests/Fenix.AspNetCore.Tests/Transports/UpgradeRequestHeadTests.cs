using System.Buffers;
using System.Text;
using Fenix.AspNetCore.Transports.WebSockets.Direct;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Xunit;

namespace Fenix.AspNetCore.Tests.Transports;

/// <summary>The direct listener's reading of a first request: only plainly formed GETs are parsed, the rest is Kestrel's.</summary>
public sealed class UpgradeRequestHeadTests
{
    private static readonly KestrelServerLimits Limits = new();

    private static HeadOutcome Parse(string text, out UpgradeRequestHead? head) =>
        UpgradeRequestHead.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text)), Limits, out head);

    [Fact]
    public void A_plain_upgrade_is_parsed_with_its_path_query_and_headers()
    {
        const string text = "GET /ws/websocket?vsn=2.0.0&a=b HTTP/1.1\r\nHost: example.com:80\r\nConnection: Upgrade\r\nX-Twice: 1\r\nx-twice: 2\r\n\r\nframe";
        Assert.Equal(HeadOutcome.Parsed, Parse(text, out var head));
        Assert.Equal("/ws/websocket", head!.Path);
        Assert.Equal("?vsn=2.0.0&a=b", head.QueryString);
        Assert.Equal("Upgrade", head.Headers.Connection.ToString());
        Assert.Equal("1,2", head.Headers["X-Twice"].ToString());
        Assert.Equal(text.Length - "frame".Length, head.Length);
    }

    [Fact]
    public void A_head_split_over_segments_is_parsed()
    {
        var bytes = Encoding.ASCII.GetBytes("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
        var first = new Segment(bytes.AsMemory(0, 9));
        var last = first.Append(bytes.AsMemory(9));
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        Assert.Equal(HeadOutcome.Parsed, UpgradeRequestHead.TryParse(sequence, Limits, out var head));
        Assert.Equal("/a", head!.Path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("GET /ws/websocket HTTP/1.1\r\nHost: h\r\n")]
    public void An_incomplete_head_that_may_still_be_an_upgrade_needs_more(string text) =>
        Assert.Equal(HeadOutcome.NeedMore, Parse(text, out _));

    [Theory]
    [InlineData("POS")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("\u0016\u0003\u0001")]
    [InlineData("GET HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("GET /x HTTP/1.0\r\nHost: h\r\n\r\n")]
    [InlineData("GET http://h/x HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("GET /%77s HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("GET /a/../b HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("GET //a HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("GET /a HTTP/1.1\r\n\r\n")]
    [InlineData("GET /a HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n")]
    [InlineData("GET /a HTTP/1.1\r\nHost: h\r\nX-Folded: a\r\n b\r\n\r\n")]
    [InlineData("GET /a HTTP/1.1\r\nHost: h\r\nBad Name: a\r\n\r\n")]
    [InlineData("GET /a HTTP/1.1\r\nHost: h\r\nX-Latin: caf\u00e9\r\n\r\n")]
    [InlineData("GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc")]
    [InlineData("GET /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET /a HTTP/1.1\r\nHost: h/x\r\n\r\n")]
    public void Anything_not_plainly_formed_is_left_to_kestrel(string text) =>
        Assert.Equal(HeadOutcome.NotCandidate, Parse(text, out _));

    [Fact]
    public void A_head_over_kestrels_limits_is_left_to_kestrel()
    {
        var huge = "GET /a HTTP/1.1\r\nHost: h\r\nX-Big: " + new string('a', Limits.MaxRequestHeadersTotalSize + Limits.MaxRequestLineSize);
        Assert.Equal(HeadOutcome.NotCandidate, Parse(huge, out _));
        var many = "GET /a HTTP/1.1\r\nHost: h\r\n" + string.Concat(Enumerable.Range(0, Limits.MaxRequestHeaderCount + 1).Select(i => $"X-{i}: v\r\n")) + "\r\n";
        Assert.Equal(HeadOutcome.NotCandidate, Parse(many, out _));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
