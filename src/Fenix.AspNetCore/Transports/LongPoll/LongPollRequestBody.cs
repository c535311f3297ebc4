using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;

namespace Fenix.AspNetCore.Transports.LongPoll;

/// <summary>
/// Turns a POST body into frames (protocol.md §5.4): with <c>Content-Type: application/x-ndjson</c> each line is a frame
/// (a line starting with <c>[</c> or <c>{</c> is JSON text, any other is Base64 of a binary frame; only the first lines up to the cap
/// count); with any other content type the whole body is one text frame.
/// </summary>
internal static class LongPollRequestBody
{
    public const string NdJson = "application/x-ndjson";

    /// <summary>Decodes every frame first, so a malformed line rejects the whole POST without dispatching a part of it.</summary>
    /// <exception cref="MessageDecodeException">A line is not valid Base64, not UTF-8, or not a message.</exception>
    public static List<Message> Decode(ReadOnlySequence<byte> body, string? contentType, IMessageSerializer serializer, int maxLines)
    {
        var bytes = body.ToArray();
        var messages = new List<Message>();
        if (!IsNdJson(contentType))
        {
            messages.Add(DecodeText(bytes, serializer));
            return messages;
        }

        var rest = bytes.AsSpan();
        while (messages.Count < maxLines && !rest.IsEmpty)
        {
            var newline = rest.IndexOf((byte)'\n');
            var line = newline >= 0 ? rest[..newline] : rest;
            rest = newline >= 0 ? rest[(newline + 1)..] : [];
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            // No Base64 text starts with '[' or '{', so V1 object lines can be read too (Phoenix mistakes them for Base64).
            messages.Add(line.Length > 0 && line[0] is (byte)'[' or (byte)'{' ? DecodeText(line, serializer) : DecodeBase64(line, serializer));
        }

        return messages;
    }

    private static bool IsNdJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(NdJson, StringComparison.OrdinalIgnoreCase);

    private static Message DecodeText(ReadOnlySpan<byte> text, IMessageSerializer serializer)
    {
        if (!System.Text.Unicode.Utf8.IsValid(text))
        {
            throw new MessageDecodeException("a frame is not valid UTF-8");
        }

        return serializer.Decode(text, isBinary: false);
    }

    private static Message DecodeBase64(ReadOnlySpan<byte> line, IMessageSerializer serializer)
    {
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(line.Length)];
        if (Base64.DecodeFromUtf8(line, decoded, out _, out var written) != OperationStatus.Done)
        {
            throw new MessageDecodeException($"a line is neither a JSON frame nor valid Base64: {Preview(line)}");
        }

        if (!serializer.SupportsBinary)
        {
            throw new MessageDecodeException($"the {serializer.Name} serializer does not accept binary frames");
        }

        return serializer.Decode(decoded.AsSpan(0, written), isBinary: true);
    }

    private static string Preview(ReadOnlySpan<byte> line) =>
        Encoding.UTF8.GetString(line[..Math.Min(line.Length, 40)]) + (line.Length > 40 ? "…" : "");
}
