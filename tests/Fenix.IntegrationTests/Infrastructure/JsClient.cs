using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>
/// The official `phoenix` JavaScript client running under Node (js/driver.mjs), driven by JSON-line commands.
/// Everything it observes (opens, joins, replies, messages, presence syncs) arrives as events to assert on.
/// </summary>
public sealed class JsClient : IAsyncDisposable
{
    private readonly Process _node;
    private readonly List<JsonObject> _events = [];
    private readonly List<JsonObject> _pending = [];
    private readonly SemaphoreSlim _changed = new(0);
    private readonly Task _reader;
    private int _nextId;

    private JsClient(Process node)
    {
        _node = node;
        _reader = Task.Run(ReadEventsAsync);
    }

    /// <param name="package">The npm package to drive: "phoenix" (1.8, the default) or "phoenix17" (the 1.7 client).</param>
    public static async Task<JsClient> StartAsync(string package = "phoenix")
    {
        var script = Path.Combine(TestPaths.JsDirectory, "driver.mjs");
        if (!Directory.Exists(Path.Combine(TestPaths.JsDirectory, "node_modules", "phoenix")))
        {
            throw new InvalidOperationException($"Run `npm ci` in {TestPaths.JsDirectory} first (./test.sh does it).");
        }

        var start = new ProcessStartInfo("node", script)
        {
            WorkingDirectory = TestPaths.JsDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PHOENIX_PACKAGE"] = package;
        var client = new JsClient(Process.Start(start)!);
        await client.WaitForAsync(e => Type(e) == "ready", "driver ready");
        return client;
    }

    /// <summary>Everything received so far, for diagnostics.</summary>
    public IReadOnlyList<JsonObject> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Connects a socket to <paramref name="path"/> on <paramref name="server"/> (e.g. /socket); returns its id.</summary>
    public async Task<string> ConnectAsync(Uri server, string path, object? parameters = null, object? options = null)
    {
        var id = NewId("s");
        var url = $"ws://{server.Host}:{server.Port}{path}";
        await SendAsync(new { cmd = "connect", id, url, @params = parameters ?? new { }, opts = options ?? new { } });
        return id;
    }

    public async Task<string> ConnectOpenAsync(Uri server, string path, object? parameters = null, object? options = null)
    {
        var id = await ConnectAsync(server, path, parameters, options);
        await WaitForAsync(e => Type(e) == "open" && Str(e, "socket") == id, $"socket {id} open");
        return id;
    }

    /// <summary>
    /// Points <paramref name="socket"/>'s automatic reconnects at <paramref name="path"/> on <paramref name="server"/>, as a
    /// load balancer would after the node behind it died; its channels rejoin there with their own params.
    /// </summary>
    public Task RetargetAsync(string socket, Uri server, string path) =>
        SendAsync(new { cmd = "retarget", socket, url = $"ws://{server.Host}:{server.Port}{path}" });

    /// <summary>Creates a channel on <paramref name="socket"/> and joins it; returns the channel id (await the join with <see cref="WaitForJoinAsync"/>).</summary>
    public async Task<string> JoinAsync(string socket, string topic, object? parameters = null, bool withPresence = false)
    {
        var id = NewId("c");
        await SendAsync(new { cmd = "channel", id, socket, topic, @params = parameters ?? new { } });
        if (withPresence)
        {
            await SendAsync(new { cmd = "presence", channel = id });
        }

        await SendAsync(new { cmd = "join", channel = id });
        return id;
    }

    public Task<JsonObject> WaitForJoinAsync(string channel, string status = "ok") =>
        WaitForAsync(e => Type(e) == "join" && Str(e, "channel") == channel && Str(e, "status") == status, $"join {status} of {channel}");

    /// <summary>
    /// Pushes an event; returns the push id to match its reply. The client gives up on the reply after
    /// <paramref name="timeoutMs"/> (as patient as <see cref="Patience.Default"/> unless a test wants the timeout).
    /// </summary>
    public async Task<string> PushAsync(string channel, string @event, object? payload = null, byte[]? binary = null, int timeoutMs = 30_000)
    {
        var id = NewId("p");
        await SendAsync(new { cmd = "push", id, channel, @event, payload = payload ?? new { }, binary = binary?.Select(b => (int)b).ToArray(), timeout = timeoutMs });
        return id;
    }

    public Task<JsonObject> WaitForReplyAsync(string push, string status = "ok") =>
        WaitForAsync(e => Type(e) == "reply" && Str(e, "id") == push && Str(e, "status") == status, $"{status} reply to {push}");

    public Task<JsonObject> WaitForMessageAsync(string channel, string @event, Func<JsonObject, bool>? match = null) =>
        WaitForAsync(e => Type(e) == "message" && Str(e, "channel") == channel && Str(e, "event") == @event && (match?.Invoke(e) ?? true), $"{@event} on {channel}");

    public Task SendAsync(object command)
    {
        _node.StandardInput.WriteLine(JsonSerializer.Serialize(command));
        return _node.StandardInput.FlushAsync();
    }

    /// <summary>Takes the first event matching <paramref name="match"/>, waiting up to <paramref name="timeout"/> (default <see cref="Patience.Default"/>).</summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience.Default);
        while (true)
        {
            lock (_pending)
            {
                var index = _pending.FindIndex(e => match(e));
                if (index >= 0)
                {
                    var found = _pending[index];
                    _pending.RemoveAt(index);
                    return found;
                }
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _changed.WaitAsync(left))
            {
                throw new Xunit.Sdk.XunitException($"JS client: expected {what}. Events:\n  {string.Join("\n  ", Events.Select(e => e.ToJsonString()))}");
            }
        }
    }

    /// <summary>
    /// Asserts that no event matching <paramref name="refuted"/> (and not taken by an earlier assertion) came before the first event matching
    /// <paramref name="barrier"/>: the answer to something the test did after the action whose effect must be absent, on
    /// a path that answers in order. The barrier proves the absent event never came; no waiting for time to pass.
    /// </summary>
    public async Task RefuteBeforeAsync(Func<JsonObject, bool> refuted, string what, Func<JsonObject, bool> barrier, string barrierWhat)
    {
        var seen = await WaitForAsync(barrier, barrierWhat);
        var before = Events.TakeWhile(e => !ReferenceEquals(e, seen)).ToHashSet(ReferenceEqualityComparer.Instance);
        JsonObject? found;
        lock (_pending)
        {
            found = _pending.Where(before.Contains).FirstOrDefault(refuted); // not taken by an earlier assertion
        }

        if (found is not null)
        {
            throw new Xunit.Sdk.XunitException($"JS client: did not expect {what}: {found.ToJsonString()} (before {barrierWhat})");
        }
    }

    public static string? Type(JsonObject e) => Str(e, "type");

    public static string? Str(JsonObject e, string key) => e[key] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await SendAsync(new { cmd = "exit" });
            await _node.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        }
        catch (Exception)
        {
            _node.Kill(entireProcessTree: true);
        }

        await _reader;
        _node.Dispose();
    }

    private string NewId(string prefix) => $"{prefix}{Interlocked.Increment(ref _nextId)}";

    private async Task ReadEventsAsync()
    {
        while (await _node.StandardOutput.ReadLineAsync() is { } line)
        {
            if (JsonNode.Parse(line) is not JsonObject e)
            {
                continue;
            }

            lock (_events)
            {
                _events.Add(e);
            }

            lock (_pending)
            {
                _pending.Add(e);
            }

            _changed.Release();
        }
    }
}
