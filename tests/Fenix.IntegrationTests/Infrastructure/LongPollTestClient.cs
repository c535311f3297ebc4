using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>The answer to a long-poll request: HTTP status, the body's logical status, token and decoded messages.</summary>
public sealed record LongPollResponse(int HttpStatus, int? Status, string? Token, IReadOnlyList<ClientMessage> Messages, HttpResponseMessage Raw, JsonObject? Body);

/// <summary>A long-poll client over HttpClient (protocol.md §5), V1 or V2, sending its token by query or header.</summary>
public sealed class LongPollTestClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _path;
    private readonly string _query;

    public LongPollTestClient(Uri server, string path, string vsn = "2.0.0", string query = "")
    {
        _http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        _path = $"{path}/longpoll";
        _query = (query.Length > 0 ? query + "&" : "") + $"vsn={vsn}";
        Vsn = vsn;
    }

    public string Vsn { get; }

    public string? Token { get; set; }

    /// <summary>Send the token in X-Phoenix-Longpoll-Token instead of the query.</summary>
    public bool TokenInHeader { get; set; }

    public HttpRequestHeaders DefaultHeaders => _http.DefaultRequestHeaders;

    /// <summary>Opens a session: expects 410 with a token.</summary>
    public async Task<LongPollResponse> OpenAsync()
    {
        Token = null;
        var response = await GetAsync();
        if (response.Status == 410)
        {
            Token = response.Token;
        }

        return response;
    }

    public async Task<LongPollResponse> GetAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url());
        request.Headers.Accept.ParseAdd("application/json");
        AddToken(request);
        return await ParseAsync(await _http.SendAsync(request, cancellationToken));
    }

    /// <summary>Posts frames as ndjson (the JS client's form) or, with another content type, one raw body.</summary>
    public async Task<LongPollResponse> PostAsync(IEnumerable<string> lines, string? contentType = "application/x-ndjson")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url());
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        content.Headers.ContentType = string.IsNullOrEmpty(contentType) ? null : MediaTypeHeaderValue.Parse(contentType);
        if (contentType == "")
        {
            content.Headers.TryAddWithoutValidation("Content-Type", "");
        }

        request.Content = content;
        AddToken(request);
        return await ParseAsync(await _http.SendAsync(request));
    }

    public Task<LongPollResponse> PostAsync(params string[] lines) => PostAsync((IEnumerable<string>)lines);

    /// <summary>Polls until messages arrive (skipping 204s) and returns them; empty if none within <paramref name="timeout"/>.</summary>
    public Task<List<ClientMessage>> PollMessagesAsync(TimeSpan? timeout = null, int atLeast = 1) =>
        PollUntilAsync(messages => messages.Count >= atLeast, timeout);

    /// <summary>Polls until <paramref name="done"/> holds for everything received (or the timeout passes: the caller asserts).</summary>
    public async Task<List<ClientMessage>> PollUntilAsync(Func<List<ClientMessage>, bool> done, TimeSpan? timeout = null)
    {
        var messages = new List<ClientMessage>();
        var deadline = DateTime.UtcNow + (timeout ?? Patience.Default);
        while (!done(messages) && DateTime.UtcNow < deadline)
        {
            var response = await GetAsync();
            if (response.Status is not (200 or 204))
            {
                throw new InvalidOperationException($"Poll answered {response.Status}");
            }

            messages.AddRange(response.Messages);
        }

        return messages;
    }

    public void Dispose() => _http.Dispose();

    private string Url() => $"{_path}?{_query}" + (Token is not null && !TokenInHeader ? $"&token={Uri.EscapeDataString(Token)}" : "");

    private void AddToken(HttpRequestMessage request)
    {
        if (Token is not null && TokenInHeader)
        {
            request.Headers.Add("X-Phoenix-Longpoll-Token", Token);
        }
    }

    private static async Task<LongPollResponse> ParseAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonObject? body = null;
        try
        {
            body = text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        var messages = new List<ClientMessage>();
        if (body?["messages"] is JsonArray array)
        {
            foreach (var item in array)
            {
                messages.Add(Decode(item!.GetValue<string>()));
            }
        }

        return new LongPollResponse((int)response.StatusCode, body?["status"]?.GetValue<int>(), body?["token"]?.GetValue<string>(), messages, response, body);
    }

    private static ClientMessage Decode(string frame)
    {
        var node = JsonNode.Parse(frame)!;
        if (node is JsonArray array)
        {
            return new ClientMessage(array[0]?.GetValue<string>(), array[1]?.GetValue<string>(), array[2]!.GetValue<string>(), array[3]!.GetValue<string>(), array[4]);
        }

        var obj = node.AsObject();
        return new ClientMessage(null, obj["ref"]?.GetValue<string>(), obj["topic"]!.GetValue<string>(), obj["event"]!.GetValue<string>(), obj["payload"]);
    }
}
