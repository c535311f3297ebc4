using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Fenix;

/// <summary>
/// Signed, time-stamped tokens to hand to clients (typically passed back as the <c>token</c> connect parameter),
/// with Phoenix.Token's semantics: sign data under a salt, verify with a max age, tell invalid from expired from missing.
/// Cryptography is ASP.NET Core Data Protection's (authenticated encryption, key rotation); for several servers share
/// the key ring (e.g. <c>PersistKeysToFileSystem</c>) so that any node verifies any node's tokens.
/// </summary>
/// <remarks>
/// The signing time and max age travel inside the protected payload and are checked here rather than by a time-limited
/// protector, so that a verifier may pass its own max age (as Phoenix allows) and so expiry is distinguishable from forgery.
/// </remarks>
public sealed class FenixToken
{
    /// <summary>Max age embedded when none is given: one day, as Phoenix.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromDays(1);

    /// <summary>How far in the future a signing time may lie by default: five seconds of clock difference between nodes.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(5);

    private const string Purpose = "Fenix.Token";

    private readonly IDataProtectionProvider _protection;
    private readonly TimeProvider _time;

    /// <summary>Tokens with the default clock skew (<see cref="DefaultClockSkew"/>).</summary>
    public FenixToken(IDataProtectionProvider protection, TimeProvider time)
        : this(protection, time, DefaultClockSkew)
    {
    }

    /// <param name="clockSkew">How far in the future a token's signing time may lie and still verify: a token signed by
    /// another node whose clock runs ahead (a long-poll session token, for one) is accepted within it.</param>
    public FenixToken(IDataProtectionProvider protection, TimeProvider time, TimeSpan clockSkew)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clockSkew, TimeSpan.Zero);
        _protection = protection;
        _time = time;
        ClockSkew = clockSkew;
    }

    /// <summary>How far in the future a signing time may lie (tokens signed later than that are <see cref="TokenStatus.Invalid"/>).</summary>
    public TimeSpan ClockSkew { get; }

    /// <summary>Signs <paramref name="data"/> (any JSON-serializable value) under <paramref name="salt"/>.</summary>
    /// <param name="maxAge">Embedded max age; <see cref="Timeout.InfiniteTimeSpan"/> for none. Default one day.</param>
    /// <param name="signedAt">Signing time to embed; default now.</param>
    public string Sign<T>(string salt, T data, TimeSpan? maxAge = null, DateTimeOffset? signedAt = null)
    {
        var envelope = new TokenEnvelope<T>(
            data,
            (signedAt ?? _time.GetUtcNow()).ToUnixTimeMilliseconds(),
            ToMilliseconds(maxAge ?? DefaultMaxAge));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(envelope);
        return System.Buffers.Text.Base64Url.EncodeToString(Protector(salt).Protect(bytes));
    }

    /// <summary>Verifies <paramref name="token"/>; <paramref name="maxAge"/> overrides the embedded max age
    /// (<see cref="Timeout.InfiniteTimeSpan"/> disables expiry).</summary>
    public TokenVerification<T> Verify<T>(string salt, string? token, TimeSpan? maxAge = null)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new(TokenStatus.Missing, default);
        }

        TokenEnvelope<T>? envelope;
        try
        {
            var bytes = Protector(salt).Unprotect(System.Buffers.Text.Base64Url.DecodeFromChars(token));
            envelope = JsonSerializer.Deserialize<TokenEnvelope<T>>(bytes);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException)
        {
            return new(TokenStatus.Invalid, default);
        }

        if (envelope is null)
        {
            return new(TokenStatus.Invalid, default);
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (envelope.SignedAt > now + (long)ClockSkew.TotalMilliseconds)
        {
            return new(TokenStatus.Invalid, default); // signed later than any clock difference explains
        }

        var maxAgeMs = maxAge is { } overridden ? ToMilliseconds(overridden) : envelope.MaxAge;
        if (maxAgeMs is { } ms && (ms <= 0 || envelope.SignedAt + ms < now))
        {
            return new(TokenStatus.Expired, default);
        }

        return new(TokenStatus.Ok, envelope.Data);
    }

    private IDataProtector Protector(string salt) => _protection.CreateProtector(Purpose, salt);

    private static long? ToMilliseconds(TimeSpan maxAge) =>
        maxAge == Timeout.InfiniteTimeSpan ? null : (long)Math.Floor(maxAge.TotalMilliseconds);

    /// <summary>What is protected: the data, when it was signed (Unix ms) and for how long it is valid (ms; null = forever).</summary>
    private sealed record TokenEnvelope<T>(T Data, long SignedAt, long? MaxAge);
}
