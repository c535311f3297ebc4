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

    /// <summary>
    /// Pushes with a payload at least this large are encoded as composite frames (<see cref="WriteAroundPayload"/>): a
    /// per-recipient head and tail around the payload's own bytes, so a payload pushed to many recipients (a crowd's
    /// <c>presence_state</c>) is not copied once per recipient. Below it, one block is cheaper than two parts.
    /// </summary>
    public const int SharedPayloadThreshold = 4 * 1024;

    /// <summary>
    /// While <see cref="WriteAroundPayload"/> runs on this thread: -1 until <see cref="WritePayload"/> wrote the
    /// placeholder, then the buffer position just after it. Null otherwise (payloads are written in place).
    /// </summary>
    [ThreadStatic]
    private static int? t_placeholderEnd;

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

    /// <summary>
    /// Like <see cref="Write"/> for a frame that carries <paramref name="payload"/> (written by <paramref name="write"/>
    /// through <see cref="WritePayload"/>), but returns a composite frame: what was written before the payload (the head)
    /// and after it (the tail), in one small array, around the payload's own bytes. Its bytes, parts in order, are
    /// exactly what <see cref="Write"/> returns for the same frame.
    /// </summary>
    public static EncodedFrame WriteAroundPayload<TState>(TState state, Payload payload, Action<Utf8JsonWriter, TState> write)
    {
        // The frame is written with a one-byte placeholder value where the payload goes, then split around it.
        t_placeholderEnd = -1;
        byte[] bytes;
        int end;
        try
        {
            bytes = Write(state, write);
            end = t_placeholderEnd ?? -1;
        }
        finally
        {
            t_placeholderEnd = null;
        }

        if (end < 1)
        {
            throw new InvalidOperationException("The frame's writer did not write its payload through WritePayload.");
        }

        var parts = new byte[bytes.Length - 1];
        bytes.AsSpan(0, end - 1).CopyTo(parts);
        bytes.AsSpan(end).CopyTo(parts.AsSpan(end - 1));
        return new EncodedFrame(parts.AsMemory(0, end - 1), false, new SharedFrameRest(payload.Bytes, parts.AsMemory(end - 1)));
    }

    /// <summary>Writes a JSON payload's text as the next value (a placeholder for it inside <see cref="WriteAroundPayload"/>).</summary>
    public static void WritePayload(this Utf8JsonWriter writer, Payload payload)
    {
        if (t_placeholderEnd is null)
        {
            writer.WriteRawValue(payload.Bytes.Span, skipInputValidation: true);
            return;
        }

        writer.WriteRawValue("0"u8, skipInputValidation: true);
        writer.Flush();
        t_placeholderEnd = t_buffer!.WrittenCount;
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
