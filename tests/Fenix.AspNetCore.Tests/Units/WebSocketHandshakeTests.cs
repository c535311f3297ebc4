using System.Text;
using Fenix.AspNetCore.Transports.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>The opening handshake (RFC 6455 §4.2) and Phoenix's subprotocol conventions (protocol.md §1.4, §1.7, §11.11, §11.12).</summary>
public sealed class WebSocketHandshakeTests
{
    private const string Prefix = "base64url.bearer.phx.";

    private static HttpRequest Upgrade(
        string connection = "Upgrade",
        string upgrade = "websocket",
        string version = "13",
        string? key = "dGhlIHNhbXBsZSBub25jZQ==")
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "GET";
        request.Headers.Connection = connection;
        request.Headers.Upgrade = upgrade;
        request.Headers.SecWebSocketVersion = version;
        if (key is not null)
        {
            request.Headers.SecWebSocketKey = key;
        }

        return request;
    }

    private static (bool Ok, string? Selected, string? Token) Negotiate(StringValues header, params string[] serverProtocols)
    {
        var ok = WebSocketHandshake.TryNegotiateSubprotocol(header, serverProtocols, out var selected, out var token);
        return (ok, selected, token);
    }

    private static string Base64(string token) => Convert.ToBase64String(Encoding.UTF8.GetBytes(token));

    [Fact]
    public void Accept_key_matches_the_rfc_example()
    {
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Fact]
    public void Accept_key_depends_on_the_key()
    {
        Assert.NotEqual(WebSocketHandshake.AcceptKey("AAAAAAAAAAAAAAAAAAAAAA=="), WebSocketHandshake.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Fact]
    public void A_proper_upgrade_request_is_valid()
    {
        Assert.Null(WebSocketHandshake.Validate(Upgrade()));
    }

    [Theory]
    [InlineData("keep-alive, Upgrade")]
    [InlineData("upgrade")]
    [InlineData("UPGRADE,keep-alive")]
    [InlineData(" Upgrade ")]
    public void Connection_header_may_list_upgrade_among_other_tokens_in_any_case(string connection)
    {
        Assert.Null(WebSocketHandshake.Validate(Upgrade(connection: connection)));
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("WebSocket")]
    [InlineData("foo, websocket")]
    public void Upgrade_header_may_spell_websocket_in_any_case(string upgrade)
    {
        Assert.Null(WebSocketHandshake.Validate(Upgrade(upgrade: upgrade)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("keep-alive")]
    [InlineData("upgrades")]
    [InlineData("keep-alive; upgrade")]
    public void Missing_upgrade_in_connection_is_explained(string connection)
    {
        var reason = WebSocketHandshake.Validate(Upgrade(connection: connection));

        Assert.NotNull(reason);
        Assert.Contains("connection", reason, StringComparison.Ordinal);
        Assert.Contains("upgrade", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_get_without_upgrade_headers_is_explained()
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "GET";

        Assert.Contains("'connection' header must contain 'upgrade'", WebSocketHandshake.Validate(request), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("h2c")]
    [InlineData("websockets")]
    public void Upgrade_other_than_websocket_is_explained(string upgrade)
    {
        Assert.Contains("'upgrade' header", WebSocketHandshake.Validate(Upgrade(upgrade: upgrade)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("8")]
    [InlineData("12")]
    [InlineData("14")]
    public void Versions_other_than_13_are_explained(string version)
    {
        Assert.Contains("13", WebSocketHandshake.Validate(Upgrade(version: version)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA")] // 15 bytes
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA=")] // 17 bytes
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 39 bytes
    public void Keys_that_are_not_16_bytes_of_base64_are_explained(string? key)
    {
        Assert.Contains("sec-websocket-key", WebSocketHandshake.Validate(Upgrade(key: key)), StringComparison.Ordinal);
    }

    [Fact]
    public void No_offered_protocols_means_none_selected()
    {
        Assert.Equal((true, null, null), Negotiate(StringValues.Empty, "phoenix"));
        Assert.Equal((true, null, null), Negotiate(new StringValues(""), "sip"));
        Assert.Equal((true, null, null), Negotiate(new StringValues(" , "), "sip"));
    }

    [Fact]
    public void Phoenix_is_echoed_whenever_offered_even_without_a_server_list()
    {
        Assert.Equal((true, "phoenix", null), Negotiate("phoenix"));
        Assert.Equal((true, "phoenix", null), Negotiate("sip, phoenix", "sip"));
    }

    [Fact]
    public void The_js_client_offer_yields_phoenix_and_the_token()
    {
        // phoenix.js: ["phoenix", "base64url.bearer.phx." + btoa(token).replace(/=/g, "")]
        var token = "SFMyNTY.g2gD?>~~";
        var encoded = Base64(token);
        Assert.Contains("+", encoded, StringComparison.Ordinal); // the standard alphabet, as btoa writes it
        var header = $"phoenix, {Prefix}{encoded.TrimEnd('=')}";

        Assert.Equal((true, "phoenix", token), Negotiate(header));
    }

    [Theory]
    [InlineData("a>?~b")] // standard Base64 with '/' and one '='
    [InlineData("SFMyNTY.g2gD?>~~")] // '+' and '=='
    [InlineData("user:42")]
    [InlineData("ünïcødé 🔑")]
    [InlineData("x")]
    public void Tokens_decode_from_either_alphabet_with_or_without_padding(string token)
    {
        var standard = Base64(token);
        var urlSafe = standard.Replace('+', '-').Replace('/', '_');

        foreach (var encoded in new[] { standard, standard.TrimEnd('='), urlSafe, urlSafe.TrimEnd('=') })
        {
            Assert.Equal(token, WebSocketHandshake.DecodeToken(encoded));
            Assert.Equal((true, "phoenix", token), Negotiate($"phoenix,{Prefix}{encoded}"));
        }
    }

    [Fact]
    public void A_lone_token_entry_leaves_nothing_offered()
    {
        Assert.Equal((true, null, "secret"), Negotiate($"{Prefix}{Base64("secret")}", "sip"));
    }

    [Fact]
    public void Offers_spread_over_several_header_values_are_combined()
    {
        var header = new StringValues([$" {Prefix}{Base64("t0k")} ", "mqtt ,  phoenix"]);

        Assert.Equal((true, "phoenix", "t0k"), Negotiate(header));
    }

    [Fact]
    public void Two_token_entries_are_not_a_token_and_stay_offered()
    {
        var twoTokens = $"{Prefix}{Base64("a")},{Prefix}{Base64("b")}";

        Assert.Equal((true, "phoenix", null), Negotiate($"phoenix,{twoTokens}"));
        Assert.False(Negotiate(twoTokens, "sip").Ok);
    }

    [Theory]
    [InlineData("a")] // a length of 1 mod 4 is never Base64
    [InlineData("a*b=")]
    public void An_undecodable_token_gives_no_token(string encoded)
    {
        Assert.Null(WebSocketHandshake.DecodeToken(encoded));
        Assert.Equal((true, "phoenix", null), Negotiate($"phoenix, {Prefix}{encoded}"));
    }

    [Fact]
    public void An_empty_token_decodes_to_empty()
    {
        Assert.Equal("", WebSocketHandshake.DecodeToken(""));
    }

    [Fact]
    public void The_first_server_listed_protocol_the_client_offered_wins()
    {
        Assert.Equal((true, "sip", null), Negotiate("sip", "sip"));
        Assert.Equal((true, "sip", null), Negotiate("mqtt, sip", "sip"));
        Assert.Equal((true, "a", null), Negotiate("b, a", "a", "b"));
    }

    [Fact]
    public void Offers_with_no_acceptable_protocol_fail()
    {
        Assert.False(Negotiate("mqtt", "sip").Ok);
        Assert.False(Negotiate("mqtt").Ok);
        Assert.False(Negotiate($"mqtt, {Prefix}{Base64("t")}", "sip").Ok);
    }

    [Fact]
    public void Protocol_names_are_case_sensitive()
    {
        Assert.False(Negotiate("PHOENIX").Ok);
        Assert.False(Negotiate("SIP", "sip").Ok);
        Assert.False(Negotiate($"{Prefix.ToUpperInvariant()}{Base64("t")}").Ok);
    }

    [Fact]
    public void Constants_match_the_wire()
    {
        Assert.Equal("base64url.bearer.phx.", WebSocketHandshake.AuthTokenPrefix);
        Assert.Equal("phoenix", WebSocketHandshake.PhoenixSubprotocol);
    }
}
