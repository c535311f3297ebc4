using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>What a connect request leaves in <see cref="ConnectInfo"/>, and what it keeps alive for an idle connection.</summary>
public sealed class ConnectInfoTests
{
    private static DefaultHttpContext Request(string query = "?vsn=2.0.0", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("example.test", 8080);
        context.Request.Path = "/socket/websocket";
        context.Request.QueryString = new QueryString(query);
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }

    [Fact]
    public void The_uri_is_the_requests_whenever_it_is_first_asked_for()
    {
        var info = ConnectInfo.FromHttpContext(Request(), "websocket", authToken: null);

        Assert.Equal(new Uri("http://example.test:8080/socket/websocket?vsn=2.0.0"), info.Uri);
        Assert.Same(info.Uri, info.Uri);
    }

    [Fact]
    public void Without_authentication_the_user_is_anonymous_created_on_first_use_and_stable()
    {
        var context = Request();
        var info = ConnectInfo.FromHttpContext(context, "websocket", authToken: null);

        Assert.Null(context.Features.Get<IHttpAuthenticationFeature>()); // the request's principal was never forced into existence
        Assert.False(info.User.Identity?.IsAuthenticated);
        Assert.Same(info.User, info.User);
    }

    [Fact]
    public void An_authenticated_user_is_the_requests()
    {
        var context = Request();
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ada")], "test"));
        context.User = user;

        Assert.Same(user, ConnectInfo.FromHttpContext(context, "websocket", authToken: null).User);
    }

    [Fact]
    public void Connections_that_sent_the_same_sec_websocket_headers_share_one_immutable_map_but_never_a_subprotocol_list()
    {
        (string, string)[] usual = [("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Extensions", "permessage-deflate"), ("Sec-WebSocket-Key", "k1")];
        var a = ConnectInfo.FromHttpContext(Request(headers: usual), "websocket", authToken: null);
        var b = ConnectInfo.FromHttpContext(Request(headers: [.. usual[..2], ("Sec-WebSocket-Key", "k2")]), "websocket", authToken: null);

        Assert.Same(a.SecWebSocketHeaders, b.SecWebSocketHeaders);
        Assert.Equal("13", a.SecWebSocketHeaders["sec-websocket-version"]);
        Assert.Equal("13", a.SecWebSocketHeaders["Sec-WebSocket-Version"]);
        Assert.False(a.SecWebSocketHeaders.ContainsKey("sec-websocket-key"));
        Assert.IsNotType<Dictionary<string, string>>(a.SecWebSocketHeaders); // nobody can change what others see

        (string, string)[] withToken = [("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Protocol", "phoenix, base64url.bearer.phx.dG9rZW4")];
        var c = ConnectInfo.FromHttpContext(Request(headers: withToken), "websocket", authToken: "token");
        var d = ConnectInfo.FromHttpContext(Request(headers: withToken), "websocket", authToken: "token");
        Assert.NotSame(c.SecWebSocketHeaders, d.SecWebSocketHeaders);
    }
}
