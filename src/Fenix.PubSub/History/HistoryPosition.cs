using System.Globalization;

namespace Fenix.PubSub.History;

/// <summary>
/// A message's place in its topic's history: the stream's <see cref="Epoch"/> and the message's <see cref="Offset"/>
/// in it. Offsets grow by exactly 1 per message within an epoch, starting at 1 (offset 0 is "before the first message");
/// the epoch changes whenever the stream may have lost entries, so two equal positions always name the same message.
/// On the wire a position is <c>"&lt;epoch&gt;:&lt;offset&gt;"</c>, e.g. <c>"0lq3x9k2a7f3b:42"</c>: never a bare
/// string of digits, which is what clients use for their own refs.
/// </summary>
public readonly record struct HistoryPosition(string Epoch, long Offset)
{
    /// <summary>Separates the epoch from the offset on the wire.</summary>
    public const char Separator = ':';

    /// <summary>The longest position text accepted (an epoch of 32 characters, the separator, 19 digits).</summary>
    public const int MaxLength = HistoryEpoch.MaxLength + 1 + 19;

    /// <summary>The wire form, <c>epoch:offset</c>.</summary>
    public override string ToString() => string.Concat(Epoch, ":", Offset.ToString(CultureInfo.InvariantCulture));

    /// <summary>Reads the wire form; false for anything else (a bad epoch, a negative or non-decimal offset, extra characters).</summary>
    public static bool TryParse(string? text, out HistoryPosition position)
    {
        position = default;
        if (text is null || text.Length > MaxLength)
        {
            return false;
        }

        var separator = text.LastIndexOf(Separator);
        if (separator <= 0 || separator == text.Length - 1)
        {
            return false;
        }

        var epoch = text[..separator];
        var digits = text.AsSpan(separator + 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        if (!HistoryEpoch.IsValid(epoch) || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return false;
        }

        position = new HistoryPosition(epoch, offset);
        return true;
    }
}
