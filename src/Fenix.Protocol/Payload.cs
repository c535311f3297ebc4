using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Fenix.Protocol;

namespace Fenix;

/// <summary>
/// An immutable message payload as it travels on the wire: either the UTF-8 text of one JSON value
/// (a JSON object for everything the server sends) or opaque bytes that force binary framing.
/// Payloads are encoded once and then shared by every frame that carries them.
/// </summary>
public sealed class Payload
{
    private static readonly byte[] EmptyObjectBytes = "{}"u8.ToArray();

    /// <summary>
    /// Cached parse of <see cref="Bytes"/> (JSON payloads only), published once by reference: a shared payload is read by
    /// many threads (every recipient of an intercepted broadcast), and a reference is written whole while a
    /// <c>JsonElement?</c> struct is not (a reader could see it set with no document behind it).
    /// </summary>
    private StrongBox<JsonElement>? _json;

    private Payload(PayloadKind kind, ReadOnlyMemory<byte> bytes)
    {
        Kind = kind;
        Bytes = bytes;
    }

    /// <summary>The empty JSON object <c>{}</c>, the payload of most control frames.</summary>
    public static Payload Empty { get; } = new(PayloadKind.Json, EmptyObjectBytes);

    public PayloadKind Kind { get; }

    /// <summary>UTF-8 JSON text for <see cref="PayloadKind.Json"/>, raw bytes for <see cref="PayloadKind.Binary"/>.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public bool IsBinary => Kind == PayloadKind.Binary;

    /// <summary>True for a JSON payload whose value is an object (what Phoenix requires of pushes, replies and broadcasts).</summary>
    public bool IsJsonObject => Kind == PayloadKind.Json && FirstSignificantByte(Bytes.Span) == (byte)'{';

    /// <summary>The parsed JSON value (parsed on first use; safe to read from any number of threads). Throws for binary payloads.</summary>
    public JsonElement Json => (Volatile.Read(ref _json) ?? Publish()).Value;

    /// <summary>Wraps UTF-8 JSON text that is already known to be one valid JSON value (no validation).</summary>
    internal static Payload FromUtf8Json(ReadOnlyMemory<byte> utf8Json) => new(PayloadKind.Json, utf8Json);

    /// <summary>Wraps UTF-8 JSON text after checking that it is exactly one valid JSON value.</summary>
    public static Payload ParseUtf8Json(ReadOnlyMemory<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json.Span);
        try
        {
            reader.Read();
            reader.Skip();
            if (reader.Read())
            {
                throw new ArgumentException("The payload holds more than one JSON value.", nameof(utf8Json));
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The payload is not valid JSON: {e.Message}", nameof(utf8Json), e);
        }

        return new Payload(PayloadKind.Json, utf8Json);
    }

    /// <summary>Opaque bytes, sent as a binary frame (V2 WebSocket) or Base64 line (long poll, client to server).</summary>
    public static Payload Binary(ReadOnlyMemory<byte> bytes) => new(PayloadKind.Binary, bytes);

    /// <summary>A JSON payload holding <paramref name="element"/>.</summary>
    public static Payload FromJson(JsonElement element)
    {
        var payload = new Payload(PayloadKind.Json, JsonSerializer.SerializeToUtf8Bytes(element, PayloadJson.Options));
        payload._json = new StrongBox<JsonElement>(element);
        return payload;
    }

    /// <summary>
    /// Converts what application code hands to Push/Reply/Broadcast into a payload: a <see cref="Payload"/> as is,
    /// bytes as a binary payload, anything else serialized with <paramref name="options"/> (default: <see cref="PayloadJson.Options"/>).
    /// </summary>
    public static Payload From(object? value, JsonSerializerOptions? options = null) => value switch
    {
        null => Empty,
        Payload p => p,
        byte[] bytes => Binary(bytes),
        ReadOnlyMemory<byte> memory => Binary(memory),
        Memory<byte> memory => Binary(memory),
        JsonElement element => FromJson(element),
        _ => new Payload(PayloadKind.Json, JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), options ?? PayloadJson.Options)),
    };

    /// <summary>Deserializes a JSON payload into <typeparamref name="T"/>.</summary>
    public T? Deserialize<T>(JsonSerializerOptions? options = null)
    {
        EnsureJson();
        return JsonSerializer.Deserialize<T>(Bytes.Span, options ?? PayloadJson.Options);
    }

    /// <summary>Reads a string property of a JSON object payload; false when absent, not a string, or not an object.</summary>
    public bool TryGetString(string propertyName, out string value)
    {
        value = "";
        if (Kind != PayloadKind.Json || Json.ValueKind != JsonValueKind.Object ||
            !Json.TryGetProperty(propertyName, out var property) || property.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = property.GetString()!;
        return true;
    }

    /// <summary>Throws unless this is a JSON object, naming what was expected (the payload rule of Phoenix).</summary>
    internal Payload EnsureObject(string what)
    {
        if (IsBinary || IsJsonObject)
        {
            return this;
        }

        throw new ArgumentException($"{what} must be a JSON object (a map) or binary, but was: {this}");
    }

    public override string ToString() =>
        IsBinary ? $"<binary {Bytes.Length} bytes>" : Encoding.UTF8.GetString(Bytes.Span);

    /// <summary>Parses once per racing reader at worst; the first to publish wins and everybody reads its (immutable) element.</summary>
    private StrongBox<JsonElement> Publish()
    {
        EnsureJson();
        JsonElement element;
        using (var document = JsonDocument.Parse(Bytes))
        {
            element = document.RootElement.Clone();
        }

        var parsed = new StrongBox<JsonElement>(element);
        return Interlocked.CompareExchange(ref _json, parsed, null) ?? parsed;
    }

    private void EnsureJson()
    {
        if (IsBinary)
        {
            throw new InvalidOperationException("This payload is binary; read it through Bytes.");
        }
    }

    private static byte FirstSignificantByte(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return b;
            }
        }

        return 0;
    }
}
