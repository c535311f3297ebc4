using Fenix;
namespace Demo.Dispatch;

/// <summary>
/// The Dispatch socket (<c>/dispatch/socket</c>): a new connection is given a new hero name and may join
/// <c>notifications:lobby</c>. A page that reconnects — after a network blip or a server restart — sends back the
/// signed <c>hero_token</c> it was given in <c>user_info</c> and keeps its name.
/// </summary>
public sealed class DispatchSocket : FenixSocket
{
    /// <summary>The purpose the hero tokens are signed for (a token for anything else does not verify here).</summary>
    public const string TokenPurpose = "dispatch hero";

    /// <summary>How long a page may stay away and still get its name back.</summary>
    public static readonly TimeSpan TokenMaxAge = TimeSpan.FromDays(1);

    private readonly HeroNames _names;
    private readonly FenixToken _tokens;

    public DispatchSocket(HeroNames names, FenixToken tokens)
    {
        _names = names;
        _tokens = tokens;
        Channel<NotificationChannel>("notifications:*");
    }

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo)
    {
        var returning = _tokens.Verify<string>(TokenPurpose, parameters.Get("hero_token"), TokenMaxAge);
        var hero = returning.IsValid && !string.IsNullOrWhiteSpace(returning.Data) ? _names.Restore(returning.Data) : _names.Next();
        return ConnectResult.Accept(("hero", hero));
    }

    public override string? Id(Assigns assigns) => $"heroes_socket:{assigns["hero"]}";
}
