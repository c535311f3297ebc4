namespace Fenix;

/// <summary>The answer of <see cref="Channel.JoinAsync"/>: joined (optionally with a reply) or refused with a reply.</summary>
public readonly struct JoinResult
{
    private JoinResult(bool ok, object? response)
    {
        IsOk = ok;
        Response = response;
    }

    public bool IsOk { get; }

    /// <summary>The reply payload (a JSON object or binary); null means <c>{}</c>.</summary>
    public object? Response { get; }

    /// <summary>Joined; the client receives <c>{"status":"ok","response":{}}</c>.</summary>
    public static JoinResult Ok() => new(true, null);

    /// <summary>Joined; the client receives <paramref name="response"/> as the reply.</summary>
    public static JoinResult Ok(object response) => new(true, response);

    /// <summary>Refused, e.g. <c>Error(new { reason = "unauthorized" })</c>; the channel is discarded.</summary>
    public static JoinResult Error(object response) => new(false, response);

    public static implicit operator ValueTask<JoinResult>(JoinResult result) => ValueTask.FromResult(result);
}
