using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>Phoenix.Token semantics on top of Data Protection: sign, verify, and tell invalid from expired from missing.</summary>
public sealed partial class FenixTokenTests
{
    private const string Salt = "user socket";

    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(T0);
    private readonly EphemeralDataProtectionProvider _keys = new();
    private readonly FenixToken _tokens;

    public FenixTokenTests() => _tokens = new FenixToken(_keys, _clock);

    public sealed record User(int Id, string Name, string[] Roles);

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex UrlSafe();

    [Fact]
    public void Signed_data_verifies_and_comes_back()
    {
        var user = new User(42, "Zoë", ["admin", "ops"]);

        var result = _tokens.Verify<User>(Salt, _tokens.Sign(Salt, user));

        Assert.Equal(TokenStatus.Ok, result.Status);
        Assert.True(result.IsValid);
        Assert.Equal(user.Id, result.Data!.Id);
        Assert.Equal(user.Name, result.Data.Name);
        Assert.Equal(user.Roles, result.Data.Roles);
    }

    [Fact]
    public void Scalars_round_trip()
    {
        Assert.Equal(42, _tokens.Verify<int>(Salt, _tokens.Sign(Salt, 42)).Data);
        Assert.Equal("users_socket:42", _tokens.Verify<string>(Salt, _tokens.Sign(Salt, "users_socket:42")).Data);
    }

    [Fact]
    public void Tokens_are_url_safe_text()
    {
        var token = _tokens.Sign(Salt, new User(1, "a+b/c=d", []));

        Assert.Matches(UrlSafe(), token);
    }

    [Fact]
    public void A_token_works_with_a_provider_resolved_from_services()
    {
        var services = new ServiceCollection();
        services.AddDataProtection();
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<FenixToken>();
        using var provider = services.BuildServiceProvider();
        var tokens = provider.GetRequiredService<FenixToken>();

        Assert.Equal(7, tokens.Verify<int>(Salt, tokens.Sign(Salt, 7)).Data);
    }

    [Fact]
    public void Another_salt_makes_the_token_invalid()
    {
        var token = _tokens.Sign(Salt, 42);

        var result = _tokens.Verify<int>("other salt", token);

        Assert.Equal(TokenStatus.Invalid, result.Status);
        Assert.False(result.IsValid);
        Assert.Equal(0, result.Data);
    }

    [Fact]
    public void Another_key_ring_makes_the_token_invalid()
    {
        var token = _tokens.Sign(Salt, 42);
        var stranger = new FenixToken(new EphemeralDataProtectionProvider(), _clock);

        Assert.Equal(TokenStatus.Invalid, stranger.Verify<int>(Salt, token).Status);
    }

    [Fact]
    public void Any_changed_character_makes_the_token_invalid()
    {
        var token = _tokens.Sign(Salt, 42);

        // Skip the last character: its low bits may be padding that decoders ignore.
        for (var i = 0; i < token.Length - 1; i += 3)
        {
            var tampered = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
            Assert.Equal(TokenStatus.Invalid, _tokens.Verify<int>(Salt, tampered).Status);
        }
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("AAAA")]
    [InlineData("not base64!")]
    [InlineData("SFMyNTY.g2gDYSpuBgCo")]
    [InlineData("=")]
    public void Malformed_tokens_are_invalid(string token)
    {
        Assert.Equal(TokenStatus.Invalid, _tokens.Verify<int>(Salt, token).Status);
    }

    [Fact]
    public void Truncated_or_extended_tokens_are_invalid()
    {
        var token = _tokens.Sign(Salt, 42);

        Assert.Equal(TokenStatus.Invalid, _tokens.Verify<int>(Salt, token[..^4]).Status);
        Assert.Equal(TokenStatus.Invalid, _tokens.Verify<int>(Salt, token + "AAAA").Status);
    }

    [Fact]
    public void Data_of_another_type_than_expected_is_invalid()
    {
        var token = _tokens.Sign(Salt, "not a number");

        Assert.Equal(TokenStatus.Invalid, _tokens.Verify<int>(Salt, token).Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_token_is_missing(string? token)
    {
        var result = _tokens.Verify<int>(Salt, token);

        Assert.Equal(TokenStatus.Missing, result.Status);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void The_default_max_age_is_one_day_inclusive()
    {
        var token = _tokens.Sign(Salt, 42);
        Assert.Equal(TimeSpan.FromDays(1), FenixToken.DefaultMaxAge);

        _clock.SetUtcNow(T0 + TimeSpan.FromDays(1));
        Assert.Equal(TokenStatus.Ok, _tokens.Verify<int>(Salt, token).Status);

        _clock.SetUtcNow(T0 + TimeSpan.FromDays(1) + TimeSpan.FromMilliseconds(1));
        var expired = _tokens.Verify<int>(Salt, token);
        Assert.Equal(TokenStatus.Expired, expired.Status);
        Assert.Equal(0, expired.Data);
    }

    [Fact]
    public void The_embedded_max_age_is_used_when_the_verifier_gives_none()
    {
        var token = _tokens.Sign(Salt, 42, maxAge: TimeSpan.FromSeconds(60));

        _clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(TokenStatus.Ok, _tokens.Verify<int>(Salt, token).Status);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenStatus.Expired, _tokens.Verify<int>(Salt, token).Status);
    }

    [Fact]
    public void A_verify_time_max_age_overrides_the_embedded_one_both_ways()
    {
        var shortLived = _tokens.Sign(Salt, 1, maxAge: TimeSpan.FromSeconds(10));
        var longLived = _tokens.Sign(Salt, 2, maxAge: TimeSpan.FromDays(30));
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(TokenStatus.Expired, _tokens.Verify<int>(Salt, shortLived).Status);
        Assert.Equal(TokenStatus.Ok, _tokens.Verify<int>(Salt, shortLived, maxAge: TimeSpan.FromHours(1)).Status);
        Assert.Equal(TokenStatus.Ok, _tokens.Verify<int>(Salt, longLived).Status);
        Assert.Equal(TokenStatus.Expired, _tokens.Verify<int>(Salt, longLived, maxAge: TimeSpan.FromMinutes(4)).Status);
    }

    [Fact]
    public void An_infinite_max_age_never_expires()
    {
        var forever = _tokens.Sign(Salt, 42, maxAge: Timeout.InfiniteTimeSpan);
        var daily = _tokens.Sign(Salt, 43);
        _clock.Advance(TimeSpan.FromDays(3650));

        Assert.Equal(TokenStatus.Ok, _tokens.Verify<int>(Salt, forever).Status);
        Assert.Equal(TokenStatus.Expired, _tokens.Verify<int>(Salt, daily).Status);
        Assert.Equal(TokenStatus.Ok, _tokens.Verify<int>(Salt, daily, maxAge: Timeout.InfiniteTimeSpan).Status);
        Assert.Equal(TokenStatus.Expired, _tokens.Verify<int>(Salt, forever, maxAge: TimeSpan.FromDays(1)).Status);
    }

    [Fact]
    public void A_zero_or_negative_max_age_is_always_expired()
    {
        var token = _tokens.Sign(Salt, 42);

        Assert.Equal(TokenStatus.Expired, _tokens.Verify<int>(Salt, token, maxAge: TimeSpan.Zero).Status);
        Assert.Equal(TokenStatus.Expired, _tokens.Verify<int>(Salt, token, maxAge: TimeSpan.FromSeconds(-5)).Status);
        Assert.Equal(TokenStatus.Expired, _tokens.Verify<int>(Salt, _tokens.Sign(Salt, 1, maxAge: TimeSpan.Zero)).Status);
    }

    [Fact]
    public void The_signing_time_can_be_given()
    {
        var old = _tokens.Sign(Salt, 42, signedAt: T0 - TimeSpan.FromDays(2));
        var recent = _tokens.Sign(Salt, 42, signedAt: T0 - TimeSpan.FromHours(23));

        Assert.Equal(TokenStatus.Expired, _tokens.Verify<int>(Salt, old).Status);
        Assert.Equal(TokenStatus.Ok, _tokens.Verify<int>(Salt, recent).Status);
    }

    [Fact]
    public void A_token_signed_further_in_the_future_than_the_clock_skew_is_invalid()
    {
        var future = _tokens.Sign(Salt, 42, signedAt: T0 + TimeSpan.FromMinutes(1));

        Assert.Equal(TokenStatus.Invalid, _tokens.Verify<int>(Salt, future).Status);
        Assert.Equal(TokenStatus.Invalid, _tokens.Verify<int>(Salt, future, maxAge: Timeout.InfiniteTimeSpan).Status);

        _clock.Advance(TimeSpan.FromMinutes(1) - FenixToken.DefaultClockSkew);
        Assert.Equal(TokenStatus.Ok, _tokens.Verify<int>(Salt, future).Status);
    }

    [Fact]
    public void A_token_from_a_node_whose_clock_runs_a_little_ahead_verifies_at_once()
    {
        // Two nodes share the key ring; the signer's clock is 3 s ahead of the verifier's (a long-poll session token
        // issued on one node and checked on another a few milliseconds later).
        var signer = new FenixToken(_keys, new FakeTimeProvider(T0 + TimeSpan.FromSeconds(3)));

        var token = signer.Sign(Salt, 42, maxAge: TimeSpan.FromSeconds(60));

        Assert.Equal(TimeSpan.FromSeconds(5), _tokens.ClockSkew);
        Assert.Equal(TokenStatus.Ok, _tokens.Verify<int>(Salt, token).Status);
        _clock.Advance(TimeSpan.FromSeconds(63)); // expiry still counts from the signing time
        Assert.Equal(TokenStatus.Ok, _tokens.Verify<int>(Salt, token).Status);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TokenStatus.Expired, _tokens.Verify<int>(Salt, token).Status);
    }

    [Theory]
    [InlineData(0, 1, TokenStatus.Invalid)]
    [InlineData(0, 0, TokenStatus.Ok)]
    [InlineData(5_000, 5_000, TokenStatus.Ok)]
    [InlineData(5_000, 5_001, TokenStatus.Invalid)]
    [InlineData(30_000, 29_000, TokenStatus.Ok)]
    public void The_clock_skew_is_the_limit_of_a_signing_time_in_the_future(int skewMs, int aheadMs, TokenStatus expected)
    {
        var verifier = new FenixToken(_keys, _clock, TimeSpan.FromMilliseconds(skewMs));
        var signer = new FenixToken(_keys, new FakeTimeProvider(T0 + TimeSpan.FromMilliseconds(aheadMs)));

        Assert.Equal(expected, verifier.Verify<int>(Salt, signer.Sign(Salt, 42)).Status);
    }

    [Fact]
    public void The_clock_skew_of_the_injected_token_comes_from_FenixOptions()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddFenix(options => options.TokenClockSkew = TimeSpan.FromSeconds(30));
        using var provider = services.BuildServiceProvider();

        var tokens = provider.GetRequiredService<FenixToken>();

        Assert.Equal(TimeSpan.FromSeconds(30), tokens.ClockSkew);
        Assert.Equal(TimeSpan.FromSeconds(30), provider.GetRequiredService<IOptions<FenixOptions>>().Value.TokenClockSkew);
    }

    [Fact]
    public void A_negative_clock_skew_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FenixToken(_keys, _clock, TimeSpan.FromSeconds(-1)));
    }
}
