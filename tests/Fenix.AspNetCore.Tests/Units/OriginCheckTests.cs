using Microsoft.AspNetCore.Http;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>The check_origin matrix of protocol.md §1.6 and §10.5 item 59.</summary>
public sealed class OriginCheckTests
{
    /// <summary>A request to <paramref name="scheme"/>://<paramref name="host"/> carrying <paramref name="origin"/> (null: no header).</summary>
    private static HttpRequest Request(string? origin, string scheme = "https", string host = "example.com")
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        context.Request.Host = new HostString(host);
        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }

        return context.Request;
    }

    public static TheoryData<string> HostlessOrigins => ["null", "file://", "", "file:///home/me/index.html", "example.com", "not a uri"];

    public static TheoryData<OriginCheck> EveryCheck => new(
        OriginCheck.Disabled,
        OriginCheck.RequestHost,
        OriginCheck.SameOrigin,
        OriginCheck.Allow("//example.com"),
        OriginCheck.Custom(_ => false));

    [Theory]
    [MemberData(nameof(EveryCheck))]
    public void Requests_without_an_origin_header_always_pass(OriginCheck check)
    {
        Assert.True(check.IsAllowed(Request(origin: null)));
    }

    [Fact]
    public void Custom_predicate_is_not_asked_when_there_is_no_origin()
    {
        var calls = 0;
        var check = OriginCheck.Custom(_ =>
        {
            calls++;
            return false;
        });

        Assert.True(check.IsAllowed(Request(origin: null)));
        Assert.Equal(0, calls);
    }

    [Theory]
    [InlineData("https://evil.com")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("file://")]
    [InlineData("garbage")]
    public void Disabled_allows_every_origin(string origin)
    {
        Assert.True(OriginCheck.Disabled.IsAllowed(Request(origin)));
    }

    [Theory]
    [MemberData(nameof(HostlessOrigins))]
    public void Hostless_or_unparsable_origins_fail_host_checks_and_allow_lists(string origin)
    {
        Assert.False(OriginCheck.RequestHost.IsAllowed(Request(origin)));
        Assert.False(OriginCheck.SameOrigin.IsAllowed(Request(origin)));
        Assert.False(OriginCheck.Allow("//example.com", "//*.example.com", "file://example.com").IsAllowed(Request(origin)));
    }

    [Theory]
    [InlineData("https://example.com")]
    [InlineData("http://example.com")]
    [InlineData("https://example.com:8443")]
    [InlineData("http://example.com:4000")]
    [InlineData("wss://example.com")]
    [InlineData("https://EXAMPLE.com")]
    public void Request_host_check_compares_hosts_only(string origin)
    {
        Assert.True(OriginCheck.RequestHost.IsAllowed(Request(origin, "http", "example.com:4000")));
    }

    [Theory]
    [InlineData("https://evil.com")]
    [InlineData("https://sub.example.com")]
    [InlineData("https://example.com.evil.com")]
    [InlineData("https://evilexample.com")]
    [InlineData("https://example.co")]
    [InlineData("https://example.com.")]
    public void Request_host_check_rejects_other_hosts(string origin)
    {
        Assert.False(OriginCheck.RequestHost.IsAllowed(Request(origin, "https", "example.com")));
    }

    [Fact]
    public void Request_host_check_follows_the_host_the_request_was_sent_to()
    {
        Assert.True(OriginCheck.RequestHost.IsAllowed(Request("http://localhost:5173", "http", "localhost:4000")));
        Assert.True(OriginCheck.RequestHost.IsAllowed(Request("http://[::1]:5173", "http", "[::1]:4000")));
        Assert.False(OriginCheck.RequestHost.IsAllowed(Request("http://127.0.0.1:4000", "http", "localhost:4000")));
    }

    [Theory]
    [InlineData("https", "example.com", "https://example.com")]
    [InlineData("https", "example.com", "https://example.com:443")]
    [InlineData("https", "example.com:443", "https://example.com")]
    [InlineData("http", "example.com", "http://example.com:80")]
    [InlineData("http", "localhost:4000", "http://localhost:4000")]
    [InlineData("http", "LOCALHOST:4000", "http://localhost:4000")]
    [InlineData("http", "[::1]:4000", "http://[::1]:4000")]
    public void Same_origin_accepts_equal_scheme_host_and_port(string scheme, string host, string origin)
    {
        Assert.True(OriginCheck.SameOrigin.IsAllowed(Request(origin, scheme, host)));
    }

    [Theory]
    [InlineData("https", "example.com", "http://example.com")] // scheme differs
    [InlineData("https", "example.com", "http://example.com:443")]
    [InlineData("https", "example.com", "https://example.com:8443")] // port differs
    [InlineData("https", "example.com", "wss://example.com")] // ws origins never match http(s) requests
    [InlineData("http", "example.com", "ws://example.com")]
    [InlineData("https", "example.com", "https://other.com")]
    [InlineData("https", "example.com", "https://sub.example.com")]
    [InlineData("http", "localhost:4000", "http://localhost")] // 80 ≠ 4000
    [InlineData("http", "localhost", "http://localhost:4000")]
    public void Same_origin_rejects_any_difference(string scheme, string host, string origin)
    {
        Assert.False(OriginCheck.SameOrigin.IsAllowed(Request(origin, scheme, host)));
    }

    [Theory]
    [InlineData("http://example.com", true)]
    [InlineData("https://example.com", true)]
    [InlineData("https://example.com:8080", true)]
    [InlineData("ws://example.com", true)]
    [InlineData("https://sub.example.com", false)] // no subdomains without "*."
    [InlineData("https://example.org", false)]
    [InlineData("https://anexample.com", false)]
    public void Scheme_less_entry_matches_any_scheme_and_port(string origin, bool allowed)
    {
        Assert.Equal(allowed, OriginCheck.Allow("//example.com").IsAllowed(Request(origin, host: "server.internal")));
    }

    [Theory]
    [InlineData("http://scheme.com", true)]
    [InlineData("http://scheme.com:80", true)]
    [InlineData("https://scheme.com", false)]
    [InlineData("http://scheme.com:8080", false)]
    [InlineData("https://scheme.com:80", false)]
    public void A_scheme_in_the_entry_implies_its_default_port(string origin, bool allowed)
    {
        Assert.Equal(allowed, OriginCheck.Allow("http://scheme.com").IsAllowed(Request(origin)));
    }

    [Theory]
    [InlineData("https://secure.com", true)]
    [InlineData("https://secure.com:443", true)]
    [InlineData("https://secure.com:8443", false)]
    [InlineData("http://secure.com", false)]
    public void Https_entry_implies_port_443(string origin, bool allowed)
    {
        Assert.Equal(allowed, OriginCheck.Allow("https://secure.com").IsAllowed(Request(origin)));
    }

    [Theory]
    [InlineData("http://port.com:81", true)]
    [InlineData("https://port.com:81", true)]
    [InlineData("http://port.com", false)]
    [InlineData("https://port.com", false)]
    [InlineData("http://port.com:8181", false)]
    public void A_port_without_a_scheme_matches_any_scheme_on_that_port(string origin, bool allowed)
    {
        Assert.Equal(allowed, OriginCheck.Allow("//port.com:81").IsAllowed(Request(origin)));
    }

    [Theory]
    [InlineData("https://both.com:8443", true)]
    [InlineData("https://both.com", false)]
    [InlineData("http://both.com:8443", false)]
    public void Scheme_and_explicit_port_must_both_match(string origin, bool allowed)
    {
        Assert.Equal(allowed, OriginCheck.Allow("https://both.com:8443").IsAllowed(Request(origin)));
    }

    [Theory]
    [InlineData("https://ex.com", true)]
    [InlineData("https://a.ex.com", true)]
    [InlineData("http://a.b.ex.com:9000", true)]
    [InlineData("https://badex.com", false)]
    [InlineData("https://ex.com.evil.com", false)]
    [InlineData("https://x.com", false)]
    public void Wildcard_matches_the_domain_and_any_subdomain(string origin, bool allowed)
    {
        Assert.Equal(allowed, OriginCheck.Allow("//*.ex.com").IsAllowed(Request(origin)));
    }

    [Theory]
    [InlineData("https://org1.foo.example.com", true)]
    [InlineData("https://foo.example.com", true)]
    [InlineData("https://a.b.foo.example.com", true)]
    [InlineData("https://bad.example.com", false)]
    [InlineData("https://example.com", false)]
    [InlineData("https://org1.prefix-foo.example.com", false)]
    [InlineData("https://prefix-foo.example.com", false)]
    public void Multi_level_wildcard_matches_only_below_its_parent(string origin, bool allowed)
    {
        Assert.Equal(allowed, OriginCheck.Allow("//*.foo.example.com").IsAllowed(Request(origin)));
    }

    [Theory]
    [InlineData("https://a.ex.com", true)]
    [InlineData("http://a.ex.com", false)]
    public void Wildcard_entry_with_a_scheme_keeps_the_scheme_and_port_rule(string origin, bool allowed)
    {
        Assert.Equal(allowed, OriginCheck.Allow("https://*.ex.com").IsAllowed(Request(origin)));
    }

    [Theory]
    [InlineData("https://one.com", true)]
    [InlineData("http://two.com:4000", true)]
    [InlineData("https://two.com:4000", false)]
    [InlineData("https://three.com", false)]
    public void Any_entry_of_the_list_may_match(string origin, bool allowed)
    {
        var check = OriginCheck.Allow("//one.com", "http://two.com:4000");

        Assert.Equal(allowed, check.IsAllowed(Request(origin)));
    }

    [Theory]
    [InlineData("//Example.COM")]
    [InlineData("HTTPS://example.com")]
    [InlineData("example.com")] // no slashes at all: any scheme and port
    [InlineData("https://example.com/")]
    public void Entries_are_case_insensitive_and_may_be_written_loosely(string entry)
    {
        Assert.True(OriginCheck.Allow(entry).IsAllowed(Request("https://EXAMPLE.com")));
    }

    [Fact]
    public void The_allow_list_ignores_the_request_host()
    {
        var check = OriginCheck.Allow("//app.example.com");

        Assert.True(check.IsAllowed(Request("https://app.example.com", host: "api.example.com")));
        Assert.False(check.IsAllowed(Request("https://api.example.com", host: "api.example.com")));
    }

    [Fact]
    public void Entries_for_non_web_schemes_match_any_port()
    {
        var check = OriginCheck.Allow("chrome-extension://abcdef");

        Assert.True(check.IsAllowed(Request("chrome-extension://abcdef")));
        Assert.False(check.IsAllowed(Request("chrome-extension://other")));
        Assert.False(check.IsAllowed(Request("https://abcdef")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("//")]
    [InlineData("https://")]
    [InlineData("https:///")]
    public void Entries_without_a_host_are_refused_with_an_example(string entry)
    {
        var exception = Assert.Throws<ArgumentException>(() => OriginCheck.Allow(entry));

        Assert.Contains("//example.com", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Custom_predicate_decides_and_sees_the_parsed_origin()
    {
        Uri? seen = null;
        var check = OriginCheck.Custom(uri =>
        {
            seen = uri;
            return uri?.Port == 8443;
        });

        Assert.True(check.IsAllowed(Request("https://anything.io:8443")));
        Assert.Equal(new Uri("https://anything.io:8443"), seen);
        Assert.False(check.IsAllowed(Request("https://anything.io")));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("")]
    public void Custom_predicate_may_accept_hostless_origins_which_it_sees_as_null(string origin)
    {
        var calls = 0;
        var check = OriginCheck.Custom(uri =>
        {
            calls++;
            return uri is null;
        });

        Assert.True(check.IsAllowed(Request(origin)));
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Custom_predicate_receives_file_origins_with_an_empty_host()
    {
        var check = OriginCheck.Custom(uri => uri is { Scheme: "file", Host.Length: 0 });

        Assert.True(check.IsAllowed(Request("file://")));
    }

    [Fact]
    public void Built_in_checks_are_shared_instances()
    {
        Assert.Same(OriginCheck.RequestHost, OriginCheck.RequestHost);
        Assert.Same(OriginCheck.SameOrigin, OriginCheck.SameOrigin);
        Assert.Same(OriginCheck.Disabled, OriginCheck.Disabled);
    }
}
