namespace Fenix;

/// <summary>The outcome of verifying a token.</summary>
public enum TokenStatus
{
    /// <summary>Authentic and within its max age.</summary>
    Ok,

    /// <summary>Forged, tampered with, signed with another salt or key, or signed in the future.</summary>
    Invalid,

    /// <summary>Authentic but older than its max age.</summary>
    Expired,

    /// <summary>No token was given.</summary>
    Missing,
}

/// <summary>A verified token's status and, when <see cref="TokenStatus.Ok"/>, its data.</summary>
public readonly record struct TokenVerification<T>(TokenStatus Status, T? Data)
{
    public bool IsValid => Status == TokenStatus.Ok;
}
