using System.Text.Json;
using Xunit;
using static Fenix.Protocol.Tests.Wire;

namespace Fenix.Protocol.Tests;

public sealed class PayloadTests
{
    private sealed record Profile(string DisplayName, int Age);

    private sealed class Presence
    {
        public string? UserName { get; init; }

        public long online_at { get; init; }
    }

    [Fact]
    public void Empty_is_the_empty_object()
    {
        Assert.Equal("{}", Text(Payload.Empty.Bytes));
        Assert.Equal(PayloadKind.Json, Payload.Empty.Kind);
        Assert.True(Payload.Empty.IsJsonObject);
        Assert.False(Payload.Empty.IsBinary);
    }

    [Fact]
    public void From_null_is_the_empty_object()
    {
        Assert.Same(Payload.Empty, Payload.From(null));
    }

    [Fact]
    public void From_an_object_uses_camel_case_and_keeps_names_already_lower_case()
    {
        var payload = Payload.From(new Presence { UserName = "ann", online_at = 1_700_000_000 });

        Assert.Equal(PayloadKind.Json, payload.Kind);
        Assert.Equal("""{"userName":"ann","online_at":1700000000}""", Text(payload.Bytes));
    }

    [Fact]
    public void From_an_anonymous_object_uses_camel_case()
    {
        Assert.Equal("""{"body":"x","userId":7}""", Text(Payload.From(new { Body = "x", UserId = 7 }).Bytes));
    }

    [Fact]
    public void From_keeps_non_ascii_and_html_characters_unescaped()
    {
        var payload = Payload.From(new { text = "Zoë 日本 <b>&'" });

        Assert.Equal("""{"text":"Zoë 日本 <b>&'"}""", Text(payload.Bytes));
    }

    [Fact]
    public void Characters_outside_the_basic_plane_survive_even_if_escaped()
    {
        // The relaxed encoder still escapes surrogate pairs; that is valid JSON and decodes to the same text.
        var payload = Payload.From(new { text = "😀" });

        Assert.Equal("😀", payload.Json.GetProperty("text").GetString());
    }

    [Fact]
    public void From_still_escapes_what_json_requires()
    {
        var payload = Payload.From(new { text = "a\"b\\c\nd" });

        Assert.Equal("""{"text":"a\"b\\c\nd"}""", Text(payload.Bytes));
    }

    [Fact]
    public void From_a_dictionary_keeps_its_keys()
    {
        var payload = Payload.From(new Dictionary<string, object?> { ["User_ID"] = 1, ["Name"] = null });

        Assert.Equal("""{"User_ID":1,"Name":null}""", Text(payload.Bytes));
    }

    [Fact]
    public void From_uses_given_options_instead_of_the_defaults()
    {
        var payload = Payload.From(new { UserName = "ann" }, new JsonSerializerOptions());

        Assert.Equal("""{"UserName":"ann"}""", Text(payload.Bytes));
    }

    [Fact]
    public void Default_options_are_web_defaults_with_relaxed_escaping()
    {
        Assert.Same(JsonNamingPolicy.CamelCase, PayloadJson.Options.PropertyNamingPolicy);
        Assert.True(PayloadJson.Options.PropertyNameCaseInsensitive);
        Assert.Same(System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, PayloadJson.Options.Encoder);
    }

    [Fact]
    public void From_bytes_in_any_memory_shape_is_binary()
    {
        byte[] bytes = [1, 2, 3];

        foreach (var payload in new[] { Payload.From(bytes), Payload.From((ReadOnlyMemory<byte>)bytes), Payload.From(bytes.AsMemory()) })
        {
            Assert.Equal(PayloadKind.Binary, payload.Kind);
            Assert.True(payload.IsBinary);
            Assert.False(payload.IsJsonObject);
            Assert.Equal(bytes, payload.Bytes.ToArray());
            Assert.Equal("<binary 3 bytes>", payload.ToString());
        }
    }

    [Fact]
    public void From_other_byte_collections_is_json()
    {
        Assert.Equal("[1,2]", Text(Payload.From(new List<byte> { 1, 2 }).Bytes));
        Assert.Equal("[1,2]", Text(Payload.From(new[] { 1, 2 }).Bytes));
    }

    [Fact]
    public void From_a_payload_returns_it_unchanged()
    {
        var payload = Payload.From(new { a = 1 });

        Assert.Same(payload, Payload.From(payload));
    }

    [Fact]
    public void From_a_json_element_keeps_its_value()
    {
        using var document = JsonDocument.Parse("""{"a":[1,"ü"]}""");

        var payload = Payload.From(document.RootElement);

        Assert.Equal("""{"a":[1,"ü"]}""", Text(payload.Bytes));
        Assert.Equal("ü", payload.Json.GetProperty("a")[1].GetString());
    }

    [Fact]
    public void EnsureObject_accepts_objects_and_binary()
    {
        var json = Payload.From(new { a = 1 });
        var padded = Payload.FromUtf8Json(Utf8(" \r\n\t{\"a\":1}"));
        var binary = Payload.Binary(new byte[] { 1 });

        Assert.Same(json, json.EnsureObject("A push payload"));
        Assert.Same(padded, padded.EnsureObject("A push payload"));
        Assert.Same(binary, binary.EnsureObject("A push payload"));
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("\"text\"")]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("  [{}]")]
    public void EnsureObject_rejects_other_json_values_and_names_what_was_expected(string json)
    {
        var payload = Payload.ParseUtf8Json(Utf8(json));

        Assert.False(payload.IsJsonObject);
        var exception = Assert.Throws<ArgumentException>(() => payload.EnsureObject("A broadcast payload"));
        Assert.Contains("A broadcast payload", exception.Message, StringComparison.Ordinal);
        Assert.Contains(json.Trim(), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_a_string_or_list_is_not_an_object()
    {
        Assert.Throws<ArgumentException>(() => Payload.From("hello").EnsureObject("A push payload"));
        Assert.Throws<ArgumentException>(() => Payload.From(new List<int> { 1 }).EnsureObject("A push payload"));
    }

    [Fact]
    public void TryGetString_reads_string_properties_only()
    {
        var payload = Payload.From(new { body = "hi", n = 1, nothing = (string?)null, nested = new { body = "x" } });

        Assert.True(payload.TryGetString("body", out var body));
        Assert.Equal("hi", body);
        Assert.False(payload.TryGetString("n", out var n));
        Assert.Equal("", n);
        Assert.False(payload.TryGetString("nothing", out _));
        Assert.False(payload.TryGetString("nested", out _));
        Assert.False(payload.TryGetString("missing", out _));
        Assert.False(payload.TryGetString("Body", out _)); // property names are case-sensitive on the wire
    }

    [Fact]
    public void TryGetString_is_false_for_non_objects_and_binary()
    {
        Assert.False(Payload.ParseUtf8Json(Utf8("""["body"]""")).TryGetString("body", out _));
        Assert.False(Payload.ParseUtf8Json(Utf8("\"body\"")).TryGetString("body", out _));
        Assert.False(Payload.Binary(Utf8("""{"body":"x"}""")).TryGetString("body", out var value));
        Assert.Equal("", value);
    }

    [Fact]
    public void Deserialize_uses_web_defaults()
    {
        var payload = Payload.FromUtf8Json(Utf8("""{"displayName":"Ann","AGE":33}"""));

        Assert.Equal(new Profile("Ann", 33), payload.Deserialize<Profile>());
    }

    [Fact]
    public void Deserialize_round_trips_what_From_wrote()
    {
        var profile = new Profile("Zoë", 9);

        Assert.Equal(profile, Payload.From(profile).Deserialize<Profile>());
    }

    [Fact]
    public void Deserialize_accepts_explicit_options()
    {
        var payload = Payload.FromUtf8Json(Utf8("""{"displayName":"Ann","Age":1}"""));

        var strict = payload.Deserialize<Profile>(new JsonSerializerOptions { PropertyNameCaseInsensitive = false });

        Assert.Equal(new Profile(null!, 1), strict);
    }

    [Fact]
    public void Json_reading_of_binary_payloads_throws()
    {
        var binary = Payload.Binary(Utf8("{}"));

        Assert.Throws<InvalidOperationException>(() => binary.Deserialize<Profile>());
        Assert.Throws<InvalidOperationException>(() => binary.Json);
    }

    [Fact]
    public void Json_parses_lazily_and_gives_the_same_value_each_time()
    {
        var payload = Payload.FromUtf8Json(Utf8("""{"a":1}"""));

        Assert.Equal(1, payload.Json.GetProperty("a").GetInt32());
        Assert.Equal(1, payload.Json.GetProperty("a").GetInt32());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{} {}")]
    [InlineData("1 2")]
    [InlineData("{'a':1}")]
    [InlineData("undefined")]
    public void ParseUtf8Json_rejects_anything_but_one_json_value(string text)
    {
        Assert.Throws<ArgumentException>(() => Payload.ParseUtf8Json(Utf8(text)));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData(" {\"a\" : 1} ")]
    [InlineData("[]")]
    [InlineData("null")]
    public void ParseUtf8Json_keeps_valid_text_as_is(string text)
    {
        var payload = Payload.ParseUtf8Json(Utf8(text));

        Assert.Equal(text, Text(payload.Bytes));
        Assert.Equal(text, payload.ToString());
    }
}
