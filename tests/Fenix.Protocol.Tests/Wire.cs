using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Fenix.Protocol.Tests;

/// <summary>Helpers to write frames as the protocol spec writes them and to compare JSON by structure.</summary>
internal static class Wire
{
    /// <summary>Bytes from hex pairs and quoted ASCII strings, as §2.3 writes them: <c>00 02 "12" 65</c>.</summary>
    public static byte[] Bytes(string spec)
    {
        var bytes = new List<byte>();
        var i = 0;
        while (i < spec.Length)
        {
            if (char.IsWhiteSpace(spec[i]))
            {
                i++;
            }
            else if (spec[i] == '"')
            {
                var end = spec.IndexOf('"', i + 1);
                bytes.AddRange(Encoding.UTF8.GetBytes(spec[(i + 1)..end]));
                i = end + 1;
            }
            else
            {
                bytes.Add(byte.Parse(spec.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
        }

        return [.. bytes];
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(EncodedFrame frame)
    {
        Assert.False(frame.IsBinary, "expected a text frame");
        return Encoding.UTF8.GetString(frame.Data.Span);
    }

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>Asserts that <paramref name="actual"/> is the same JSON value as <paramref name="expected"/> (key order ignored).</summary>
    public static void AssertJson(string expected, ReadOnlyMemory<byte> actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        var actualNode = JsonNode.Parse(actual.Span);
        Assert.True(
            JsonNode.DeepEquals(expectedNode, actualNode),
            $"JSON differs.\nExpected: {expectedNode?.ToJsonString()}\nActual:   {Text(actual)}");
    }

    /// <summary>The value kinds of a V2 frame's join_ref and ref, to prove refs are strings (never numbers) or null.</summary>
    public static (JsonValueKind JoinRef, JsonValueKind Ref) RefKinds(EncodedFrame frame)
    {
        using var document = JsonDocument.Parse(frame.Data);
        var array = document.RootElement;
        Assert.Equal(JsonValueKind.Array, array.ValueKind);
        Assert.Equal(5, array.GetArrayLength());
        return (array[0].ValueKind, array[1].ValueKind);
    }
}
