using System.Security.Cryptography;

namespace Fenix.PubSub.History;

/// <summary>
/// Epoch names: the creation time in milliseconds (9 base-36 digits, so that later epochs sort after earlier ones) and 4
/// random base-36 digits (two streams created in the same millisecond differ). Lowercase letters and digits only.
/// </summary>
public static class HistoryEpoch
{
    /// <summary>The longest epoch accepted from clients or stores.</summary>
    public const int MaxLength = 32;

    private const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>A new epoch created at <paramref name="unixMilliseconds"/>.</summary>
    public static string New(long unixMilliseconds)
    {
        Span<char> text = stackalloc char[13];
        var value = Math.Max(0, unixMilliseconds);
        for (var i = 8; i >= 0; i--)
        {
            text[i] = Digits[(int)(value % 36)];
            value /= 36;
        }

        for (var i = 9; i < 13; i++)
        {
            text[i] = Digits[RandomNumberGenerator.GetInt32(36)];
        }

        return new string(text);
    }

    /// <summary>True for 1 to <see cref="MaxLength"/> characters of <c>[0-9a-z]</c>.</summary>
    public static bool IsValid(string? epoch)
    {
        if (string.IsNullOrEmpty(epoch) || epoch.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in epoch)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'z')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Orders epochs by creation (then by their random part): positive when <paramref name="a"/> is the later one.</summary>
    public static int Compare(string a, string b) => string.CompareOrdinal(a, b);
}
