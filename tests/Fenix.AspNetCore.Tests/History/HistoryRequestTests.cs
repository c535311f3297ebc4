using Fenix.AspNetCore.History;
using Fenix.PubSub.History;
using Xunit;

namespace Fenix.AspNetCore.Tests.History;

/// <summary>The join payload's <c>fenix_history</c> member: read, or refused with a reason, never a throw.</summary>
public sealed class HistoryRequestTests
{
    [Fact]
    public void A_well_formed_request_is_read()
    {
        var request = Parse("""{"user":"a","fenix_history":{"since":"0abc:7","last":20}}""");
        Assert.False(request.IsInvalid);
        Assert.Equal(new HistoryPosition("0abc", 7), request.Since);
        Assert.Equal(20, request.Last);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"fenix_history":null}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"fenix_history":{}}""")]
    [InlineData("""{"fenix_history":{"since":null,"last":null}}""")]
    public void No_request_asks_for_nothing(string json)
    {
        var request = Parse(json);
        Assert.False(request.IsInvalid);
        Assert.Null(request.Since);
        Assert.Equal(0, request.Last);
    }

    [Theory]
    [InlineData("""{"fenix_history":"0abc:7"}""")]
    [InlineData("""{"fenix_history":{"since":7}}""")]
    [InlineData("""{"fenix_history":{"since":"7"}}""")]
    [InlineData("""{"fenix_history":{"since":"0ABC:7"}}""")]
    [InlineData("""{"fenix_history":{"since":"0abc:-7"}}""")]
    [InlineData("""{"fenix_history":{"last":-1}}""")]
    [InlineData("""{"fenix_history":{"last":1001}}""")]
    [InlineData("""{"fenix_history":{"last":1e300}}""")]
    [InlineData("""{"fenix_history":{"last":"5"}}""")]
    [InlineData("""{"fenix_history":{"last":2.5}}""")]
    public void Malformed_requests_are_invalid_with_a_reason(string json)
    {
        var request = Parse(json);
        Assert.True(request.IsInvalid);
        Assert.False(string.IsNullOrEmpty(request.Invalid));
        Assert.Equal(HistoryQuery.Top, request.ToQuery(1000)); // an invalid request reads nothing but where the stream stands
    }

    private static HistoryRequest Parse(string json) => HistoryRequest.Parse(Payload.ParseUtf8Json(System.Text.Encoding.UTF8.GetBytes(json)), maxLast: 1000);
}
