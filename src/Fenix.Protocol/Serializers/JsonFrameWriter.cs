using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fenix.Protocol.Serializers;

/// <summary>
/// A per-thread reusable <see cref="Utf8JsonWriter"/> for building JSON frames without allocating
/// anything but the final byte array. Encoding never runs user code, so a thread never re-enters it.
/// </summary>
internal static class JsonFrameWriter
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Runs <paramref name="write"/> on a reset writer and returns a copy of what it wrote.</summary>
    public static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        write(writer, state);
        writer.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null; // do not pin one large frame's buffer to the thread forever
        }

        return bytes;
    }

    public static void WriteNullableString(this Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    /// <summary>Writes <c>{"status":S,"response":R}</c>, the payload of every reply (plus <c>"history"</c> when the reply has one).</summary>
    public static void WriteReplyPayload(this Utf8JsonWriter writer, Reply reply)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("status"u8);
        writer.WriteStringValue(reply.Status);
        writer.WritePropertyName("response"u8);
        writer.WriteRawValue(reply.Response.Bytes.Span, skipInputValidation: true);
        if (reply.History is { IsBinary: false } history)
        {
            writer.WritePropertyName("history"u8);
            writer.WriteRawValue(history.Bytes.Span, skipInputValidation: true);
        }

        writer.WriteEndObject();
    }
}
