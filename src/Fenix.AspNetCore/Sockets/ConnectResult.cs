namespace Fenix;

/// <summary>The answer of <see cref="FenixSocket.ConnectAsync"/>: accept with assigns, or refuse with an HTTP status.</summary>
public readonly struct ConnectResult
{
    private ConnectResult(bool accepted, Assigns? assigns, int statusCode)
    {
        Accepted = accepted;
        Assigns = assigns;
        StatusCode = statusCode;
    }

    public bool Accepted { get; }

    public Assigns? Assigns { get; }

    /// <summary>The HTTP status of a refusal (403 unless chosen otherwise).</summary>
    public int StatusCode { get; }

    public static ConnectResult Accept() => new(true, new Assigns(), 0);

    public static ConnectResult Accept(Assigns assigns) => new(true, assigns, 0);

    /// <summary>Accepts with the given assigns, e.g. <c>Accept(("user", name))</c>.</summary>
    public static ConnectResult Accept(params (string Key, object? Value)[] assigns)
    {
        var values = new Assigns();
        foreach (var (key, value) in assigns)
        {
            values[key] = value;
        }

        return new(true, values, 0);
    }

    /// <summary>Refuses the connection: WebSocket upgrade answered with <paramref name="statusCode"/>, long poll with status 403.</summary>
    public static ConnectResult Refuse(int statusCode = 403) => new(false, null, statusCode);

    public static implicit operator ValueTask<ConnectResult>(ConnectResult result) => ValueTask.FromResult(result);
}
