using System.Globalization;
using System.Text;

namespace Demo.Shared;

/// <summary>The rule for names people type in: trimmed, 1–32 characters, no control characters.</summary>
public static class DisplayName
{
    public const int MaxLength = 32;

    public static bool TryNormalize(string? raw, out string name)
    {
        name = raw?.Trim() ?? "";
        var length = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format)
            {
                return false;
            }

            length++;
        }

        return length is > 0 and <= MaxLength;
    }
}
