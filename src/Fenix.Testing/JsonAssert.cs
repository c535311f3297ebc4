using System.Text.Json;

namespace Fenix.Testing;

/// <summary>Structural JSON comparison (key order ignored, numbers by value) for payload assertions.</summary>
public static class JsonAssert
{
    /// <summary>True when <paramref name="actual"/> holds the same JSON as <paramref name="expected"/> (an object, a JSON string or a Payload).</summary>
    public static bool Matches(Payload actual, object? expected, JsonSerializerOptions? options = null)
    {
        if (expected is null)
        {
            return true;
        }

        var expectedPayload = expected is string json ? Payload.ParseUtf8Json(System.Text.Encoding.UTF8.GetBytes(json)) : Payload.From(expected, options);
        if (actual.IsBinary || expectedPayload.IsBinary)
        {
            return actual.IsBinary && expectedPayload.IsBinary && actual.Bytes.Span.SequenceEqual(expectedPayload.Bytes.Span);
        }

        return DeepEquals(actual.Json, expectedPayload.Json);
    }

    public static bool DeepEquals(JsonElement a, JsonElement b) => JsonElement.DeepEquals(a, b);
}
