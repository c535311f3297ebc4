using System.Text.Json;

namespace Fenix.Protocol.Serializers;

/// <summary>Readers for the fields of a JSON frame, with errors that name the field.</summary>
internal static class JsonFields
{
    /// <summary>Reads a ref: a string, null, or (for lenient non-JS clients) a number kept as its text.</summary>
    public static string? ReadRef(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader, field);
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => GetString(ref reader, field),
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            _ => throw new MessageDecodeException($"{field} must be a string or null"),
        };
    }

    public static string ReadString(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader, field);
        return reader.TokenType == JsonTokenType.String
            ? GetString(ref reader, field)
            : throw new MessageDecodeException($"{field} must be a string");
    }

    /// <summary>Copies the raw UTF-8 text of the next value (any JSON value) into a payload.</summary>
    public static Payload ReadRawValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> frame, string field)
    {
        Next(ref reader, field);
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        var end = (int)reader.BytesConsumed;
        return Payload.FromUtf8Json(frame[start..end].ToArray());
    }

    /// <summary>The reader only validates UTF-8 when transcoding, and then throws InvalidOperationException.</summary>
    private static string GetString(ref Utf8JsonReader reader, string field)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new MessageDecodeException($"{field} is not valid UTF-8", e);
        }
    }

    private static void Next(ref Utf8JsonReader reader, string field)
    {
        if (!reader.Read() || reader.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject)
        {
            throw new MessageDecodeException($"missing {field}");
        }
    }
}
