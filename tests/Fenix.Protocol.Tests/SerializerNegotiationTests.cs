using Fenix.Protocol.Serializers;
using Xunit;

namespace Fenix.Protocol.Tests;

/// <summary>protocol.md §1.3: <c>~&gt; 1.0.0</c> → V1, <c>~&gt; 2.0.0</c> → V2 (<c>&gt;= X.0.0 and &lt; X.1.0</c>), anything else refused.</summary>
public sealed class SerializerNegotiationTests
{
    [Fact]
    public void Absent_vsn_means_1_0_0_and_v1()
    {
        Assert.Equal("1.0.0", SerializerNegotiation.DefaultVersion);
        Assert.Same(V1JsonSerializer.Instance, SerializerNegotiation.Negotiate(null));
    }

    [Theory]
    [InlineData("1.0.0")]
    [InlineData("1.0.1")]
    [InlineData("1.0.99")]
    [InlineData("1.0.1-beta")]
    public void Versions_matching_1_0_x_get_v1(string vsn)
    {
        Assert.Same(V1JsonSerializer.Instance, SerializerNegotiation.Negotiate(vsn));
    }

    [Theory]
    [InlineData("2.0.0")] // what phoenix.js sends
    [InlineData("2.0.5")]
    [InlineData("2.0.10")]
    [InlineData("2.0.0+build.7")]
    [InlineData("2.0.1-rc.1")]
    public void Versions_matching_2_0_x_get_v2(string vsn)
    {
        Assert.Same(V2JsonSerializer.Instance, SerializerNegotiation.Negotiate(vsn));
    }

    [Theory]
    [InlineData("2.1.0")]
    [InlineData("1.1.0")]
    [InlineData("3.0.0")]
    [InlineData("0.9.0")]
    [InlineData("0.0.0")]
    [InlineData("123.1.1")] // the upstream test
    [InlineData("2.0.0-rc.1")] // a pre-release of 2.0.0 is below 2.0.0
    [InlineData("1.0.0-alpha")]
    public void Unmatched_versions_are_refused(string vsn)
    {
        Assert.Null(SerializerNegotiation.Negotiate(vsn));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2")]
    [InlineData("2.0")]
    [InlineData("2.0.")]
    [InlineData("2..0")]
    [InlineData("2.0.0.0")]
    [InlineData("v2.0.0")]
    [InlineData(" 2.0.0")]
    [InlineData("2.0.0 ")]
    [InlineData("02.0.0")]
    [InlineData("2.00.0")]
    [InlineData("2.0.00")]
    [InlineData("-2.0.0")]
    [InlineData("2.-0.0")]
    [InlineData("a.b.c")]
    [InlineData("2.0.x")]
    [InlineData("２.0.0")] // a full-width digit
    [InlineData("99999999999.0.0")]
    [InlineData("garbage")]
    public void Unparsable_versions_are_refused(string vsn)
    {
        Assert.Null(SerializerNegotiation.Negotiate(vsn));
    }
}
