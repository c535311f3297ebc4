using Fenix.Client.Internal;
using Fenix.Protocol;

namespace Fenix.Client.Tests;

public sealed class EndpointUrlTests
{
    [Fact]
    public void WebSocket_url_appends_the_transport_segment_user_params_first_and_vsn_last()
    {
        var endpoint = EndpointUrl.NormalizeEndpoint("ws://example.com/socket");
        var url = EndpointUrl.WebSocket(endpoint, new { token = "abc", user = "ann" }, "2.0.0", PayloadJson.Options);
        Assert.Equal("ws://example.com/socket/websocket?token=abc&user=ann&vsn=2.0.0", url.ToString());
    }

    [Fact]
    public void Without_params_only_vsn_is_sent()
    {
        var endpoint = EndpointUrl.NormalizeEndpoint("wss://example.com:4443/socket/");
        Assert.Equal("wss://example.com:4443/socket/websocket?vsn=2.0.0", EndpointUrl.WebSocket(endpoint, null, "2.0.0", PayloadJson.Options).ToString());
    }

    [Fact]
    public void Http_endpoints_are_mapped_to_websocket_schemes()
    {
        Assert.Equal("ws://h/socket", EndpointUrl.NormalizeEndpoint("http://h/socket").ToString());
        Assert.Equal("wss://h/socket", EndpointUrl.NormalizeEndpoint("https://h/socket").ToString());
    }

    [Theory]
    [InlineData("/socket")]
    [InlineData("ftp://h/socket")]
    [InlineData("not a url")]
    public void Relative_or_foreign_endpoints_are_refused(string endpoint) =>
        Assert.Throws<ArgumentException>(() => EndpointUrl.NormalizeEndpoint(endpoint));

    [Fact]
    public void Nested_params_use_bracket_notation_and_nulls_are_left_out()
    {
        var query = EndpointUrl.Query(
            new Dictionary<string, object?>
            {
                ["user"] = new { id = 1, admin = true },
                ["ids"] = new[] { "a", "b" },
                ["gone"] = null,
                ["text"] = "a b&c",
            },
            PayloadJson.Options);
        Assert.Equal("user%5Bid%5D=1&user%5Badmin%5D=true&ids%5B0%5D=a&ids%5B1%5D=b&text=a%20b%26c", query);
    }

    [Fact]
    public void Params_must_be_an_object() =>
        Assert.Throws<ArgumentException>(() => EndpointUrl.Query("just a string", PayloadJson.Options));

    [Fact]
    public void Long_poll_url_swaps_scheme_and_last_transport_segment_and_keeps_the_query()
    {
        var ws = new Uri("wss://example.com/websocket/socket/websocket?token=t&vsn=2.0.0");
        Assert.Equal("https://example.com/websocket/socket/longpoll?token=t&vsn=2.0.0", EndpointUrl.LongPoll(ws).ToString());
        Assert.Equal("http://127.0.0.1:5000/socket/longpoll?vsn=2.0.0", EndpointUrl.LongPoll(new Uri("ws://127.0.0.1:5000/socket/websocket?vsn=2.0.0")).ToString());
    }

    [Fact]
    public void Appended_params_follow_the_existing_query()
    {
        var url = EndpointUrl.AppendParam(new Uri("http://h/socket/longpoll?vsn=2.0.0"), "token", "a+b/c=");
        Assert.Equal("http://h/socket/longpoll?vsn=2.0.0&token=a%2Bb%2Fc%3D", url.AbsoluteUri);
    }
}
