using System.Net;
using System.Text;

namespace Fenix.Client.Tests.Support;

/// <summary>
/// A fake long-poll server: every request is recorded and waits until the test answers it (in arrival order per
/// method), so a GET stays "parked" exactly like a real poll.
/// </summary>
internal sealed class ScriptedHttpHandler : HttpMessageHandler
{
    private readonly System.Threading.Channels.Channel<RecordedRequest> _requests =
        System.Threading.Channels.Channel.CreateUnbounded<RecordedRequest>();

    public async Task<RecordedRequest> NextAsync(HttpMethod method)
    {
        while (true)
        {
            var request = await _requests.Reader.ReadAsync().AsTask().Within();
            if (request.Method == method)
            {
                return request;
            }

            _requests.Writer.TryWrite(request); // the other loop's request; look again later
            await Task.Delay(5);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            request.Content?.Headers.ContentType?.ToString(),
            body);
        _requests.Writer.TryWrite(recorded);
        var json = await recorded.Response.Task.WaitAsync(cancellationToken);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }
}

internal sealed record RecordedRequest(
    HttpMethod Method,
    Uri Uri,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentType,
    string? Body)
{
    public TaskCompletionSource<string> Response { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Respond(string json) => Response.TrySetResult(json);
}
