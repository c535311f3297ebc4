namespace Fenix.Protocol.Serializers;

/// <summary>
/// Picks the serializer for a client's <c>vsn</c> query parameter: <c>~&gt; 1.0.0</c> → V1, <c>~&gt; 2.0.0</c> → V2.
/// An absent vsn means 1.0.0; an unparsable or unmatched one means refusal (HTTP 403).
/// </summary>
internal static class SerializerNegotiation
{
    public const string DefaultVersion = "1.0.0";

    public static IMessageSerializer? Negotiate(string? vsn)
    {
        if (!TryParse(vsn ?? DefaultVersion, out var major, out var minor, out var patch, out var isPreRelease))
        {
            return null;
        }

        // "~> X.0.0" means ">= X.0.0 and < X.1.0": X.0.patch and pre-releases of patches above 0
        // (X.0.0-rc sorts below X.0.0, so Phoenix refuses it).
        if (patch == 0 && isPreRelease)
        {
            return null;
        }

        return (major, minor) switch
        {
            (1, 0) => V1JsonSerializer.Instance,
            (2, 0) => V2JsonSerializer.Instance,
            _ => null,
        };
    }

    /// <summary>Parses MAJOR.MINOR.PATCH with optional -pre and +build parts, as semantic versions are written.</summary>
    private static bool TryParse(string vsn, out int major, out int minor, out int patch, out bool isPreRelease)
    {
        major = minor = patch = 0;
        var core = vsn.AsSpan();
        var suffix = core.IndexOfAny('-', '+');
        isPreRelease = suffix >= 0 && core[suffix] == '-';
        if (suffix >= 0)
        {
            core = core[..suffix];
        }

        Span<Range> parts = stackalloc Range[4];
        if (core.Split(parts, '.') != 3)
        {
            return false;
        }

        return IsNumber(core[parts[0]], out major) && IsNumber(core[parts[1]], out minor) && IsNumber(core[parts[2]], out patch);
    }

    private static bool IsNumber(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 9 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
