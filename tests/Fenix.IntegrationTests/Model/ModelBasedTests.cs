using System.Text;
using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Fenix.Tests.Model;
using Xunit;

namespace Fenix.IntegrationTests.Model;

/// <summary>
/// Model-based randomized tests against a real Kestrel: seeded random sequences of client actions (join, rejoin, leave,
/// pushes with current/stale/foreign/null join_refs, heartbeats, crashes, stops, broadcasts from the channel and from the
/// server, abrupt disconnects), sent without waiting for answers, over WebSocket and over overlapping long-poll POSTs;
/// every frame received is compared with <see cref="PhoenixModel"/>, and nothing may stay subscribed or present after.
/// </summary>
public sealed class ModelBasedTests(ModelServer server, ITestOutputHelper output) : ModelBasedTestsBase(server, output), IClassFixture<ModelServer>;

/// <summary>The same runs with WebSockets on the direct listener (<c>UseFenixWebSockets</c>) and long poll on the same port.</summary>
public sealed class DirectModelBasedTests(DirectModelServer server, ITestOutputHelper output) : ModelBasedTestsBase(server, output), IClassFixture<DirectModelServer>;

/// <summary>The runs, against whichever server variant the subclass gives.</summary>
public abstract class ModelBasedTestsBase(ModelServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = Infrastructure.Patience.Default;

    [Fact]
    public async Task WebSocket_runs_match_the_reference_model()
    {
        var (runs, failures) = await ModelRuns.RunAsync(defaultRuns: 2000, firstSeed: 1, parallelism: 8, RunWebSocketAsync);
        output.WriteLine($"{runs} WebSocket runs, {failures.Count} failed");
        Assert.True(failures.Count == 0, ModelRuns.Report(nameof(WebSocket_runs_match_the_reference_model), runs, failures));
        await AssertNoChannelLeftAsync();
    }

    [Fact]
    public async Task LongPoll_runs_with_overlapping_posts_match_the_reference_model()
    {
        var (runs, failures) = await ModelRuns.RunAsync(defaultRuns: 400, firstSeed: 1_000_001, parallelism: 8, RunLongPollAsync);
        output.WriteLine($"{runs} long-poll runs, {failures.Count} failed");
        Assert.True(failures.Count == 0, ModelRuns.Report(nameof(LongPoll_runs_with_overlapping_posts_match_the_reference_model), runs, failures));
        await AssertNoChannelLeftAsync();
    }

    /// <summary>One WebSocket run: actions pipelined, sync points (barrier, then a server broadcast) now and then, a final barrier.</summary>
    private async Task<string?> RunWebSocketAsync(int seed)
    {
        var run = $"ws{seed}";
        var generator = new ModelActionGenerator(seed, run);
        var random = generator.Random;
        var model = new PhoenixModel();
        var log = new StringBuilder();
        var received = new Dictionary<string, List<string>>();
        var socket = await RawWebSocket.ConnectAsync(server.BaseUri, $"/model/websocket?vsn=2.0.0&id={run}");
        try
        {
            var steps = random.Next(10, 60);
            for (var i = 0; i < steps; i++)
            {
                if (random.Next(100) < 6)
                {
                    if (await SyncAsync() is { } stuck)
                    {
                        return stuck;
                    }

                    var broadcast = generator.ServerBroadcast();
                    server.Broadcaster.Broadcast(broadcast.Topic, "news", new { n = broadcast.N });
                    Apply(broadcast);
                }

                var action = generator.Next();
                await socket.SendTextAsync(action.Frame!);
                Apply(action);
            }

            if (await SyncAsync() is { } wedged)
            {
                return wedged;
            }

            if (!model.Matches(received, out var difference))
            {
                return $"{difference}\nactions: {log}";
            }
        }
        finally
        {
            if (random.Next(2) == 0)
            {
                await socket.SendCloseAsync();
                await socket.ReceiveDataAsync(Patience); // the close answer (or end of stream)
            }

            await socket.DisposeAsync(); // abrupt when no close frame was sent
        }

        return await server.LeftoversAsync(generator.Routed);

        void Apply(ModelAction action)
        {
            model.Apply(action);
            log.Append(action.Frame ?? action.ToString()).Append('\n');
        }

        // Sends a barrier and reads until every barrier frame is answered (each proves its topic's earlier frames were).
        async Task<string?> SyncAsync()
        {
            var barrier = generator.Barrier();
            foreach (var action in barrier)
            {
                await socket.SendTextAsync(action.Frame!);
                Apply(action);
            }

            var waiting = barrier.Select(RefOf).ToHashSet();
            var deadline = DateTime.UtcNow + Patience;
            while (waiting.Count > 0)
            {
                var left = deadline - DateTime.UtcNow;
                var frame = left > TimeSpan.Zero ? await socket.ReceiveDataAsync(left) : null;
                if (frame is null or { Opcode: RawFrame.Close })
                {
                    return $"the socket stopped answering (wedged or closed: {frame?.CloseCode}); {waiting.Count} barrier frames unanswered\nactions: {log}";
                }

                if (Record(received, frame.Text_) is { } @ref)
                {
                    waiting.Remove(@ref);
                }
            }

            return null;
        }
    }

    /// <summary>
    /// One long-poll run: groups of 1–3 POSTs sent at once (the server dispatches each whole, in some order), then a
    /// barrier POST; the frames must match the model for one order of the group.
    /// </summary>
    private async Task<string?> RunLongPollAsync(int seed)
    {
        var run = $"lp{seed}";
        var generator = new ModelActionGenerator(seed, run);
        var random = generator.Random;
        var model = new PhoenixModel();
        var log = new StringBuilder();
        var received = new Dictionary<string, List<string>>();
        var arrived = new SemaphoreSlim(0);
        using var client = new LongPollTestClient(server.BaseUri, "/model", query: $"id={run}");
        if ((await client.OpenAsync()).Status != 410)
        {
            return "could not open a session";
        }

        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                LongPollResponse response;
                try
                {
                    response = await client.GetAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                lock (received)
                {
                    foreach (var message in response.Messages)
                    {
                        RecordMessage(received, message);
                    }
                }

                arrived.Release();
            }
        });

        try
        {
            var groups = random.Next(3, 10);
            for (var g = 0; g < groups; g++)
            {
                if (random.Next(100) < 20)
                {
                    var broadcast = generator.ServerBroadcast(); // the session is quiet here: the previous barrier was answered
                    server.Broadcaster.Broadcast(broadcast.Topic, "news", new { n = broadcast.N });
                    model.Apply(broadcast);
                    log.Append(broadcast).Append('\n');
                }

                var posts = Enumerable.Range(0, random.Next(1, 4))
                    .Select(_ => Enumerable.Range(0, random.Next(1, 7)).Select(_ => generator.Next()).ToList())
                    .ToList();
                var answers = await Task.WhenAll(posts.Select(post => client.PostAsync(post.Select(a => a.Frame!))));
                if (answers.FirstOrDefault(a => a.Status != 200) is { } refused)
                {
                    return $"a POST was answered {refused.Status}";
                }

                var barrier = generator.Barrier();
                if ((await client.PostAsync(barrier.Select(a => a.Frame!))).Status != 200)
                {
                    return "the barrier POST was refused";
                }

                var waiting = barrier.Select(RefOf).ToHashSet();
                var deadline = DateTime.UtcNow + Patience;
                while (true)
                {
                    lock (received)
                    {
                        waiting.RemoveWhere(@ref => received.Values.Any(frames => frames.Any(f => f.Contains($" {@ref} {{\"status\"", StringComparison.Ordinal))));
                    }

                    if (waiting.Count == 0)
                    {
                        break;
                    }

                    if (!await arrived.WaitAsync(deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero))
                    {
                        return $"the session stopped answering: {waiting.Count} barrier frames unanswered\nactions: {log}";
                    }
                }

                // POSTs sent together are dispatched whole, one after the other, in an order the client cannot know.
                PhoenixModel? matched = null;
                string difference = "";
                foreach (var order in Permutations(posts))
                {
                    var candidate = model.Clone();
                    foreach (var action in order.SelectMany(post => post).Concat(barrier))
                    {
                        candidate.Apply(action);
                    }

                    lock (received)
                    {
                        if (candidate.Matches(received, out difference))
                        {
                            matched = candidate;
                            break;
                        }
                    }
                }

                foreach (var post in posts)
                {
                    log.Append("POST ").Append(string.Join(" ", post.Select(a => a.Frame))).Append('\n');
                }

                if (matched is null)
                {
                    return $"no order of the {posts.Count} overlapping POSTs explains the frames. {difference}\nactions: {log}";
                }

                model = matched;
            }
        }
        finally
        {
            server.Broadcaster.Disconnect($"model_sockets:{run}");
            await stop.CancelAsync();
            await poller;
        }

        return await server.LeftoversAsync(generator.Routed);
    }

    private async Task AssertNoChannelLeftAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        while (server.ActiveChannels != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, server.ActiveChannels);
    }

    private static string RefOf(ModelAction action) => action switch
    {
        PushAction push => push.Ref,
        HeartbeatAction heartbeat => heartbeat.Ref,
        _ => throw new ArgumentException("barriers are pushes and heartbeats"),
    };

    /// <summary>Records a V2 text frame under its topic; returns the ref of a reply (null for anything else).</summary>
    private static string? Record(Dictionary<string, List<string>> received, string text)
    {
        var array = JsonNode.Parse(text)!.AsArray();
        var message = new ClientMessage(array[0]?.GetValue<string>(), array[1]?.GetValue<string>(), array[2]!.GetValue<string>(), array[3]!.GetValue<string>(), array[4]);
        RecordMessage(received, message);
        return message.Event == "phx_reply" ? message.Ref : null;
    }

    private static void RecordMessage(Dictionary<string, List<string>> received, ClientMessage message)
    {
        if (message.Event == "presence_diff")
        {
            return; // presence diffs come when the tracker sends them: not part of the model
        }

        if (!received.TryGetValue(message.Topic, out var frames))
        {
            received[message.Topic] = frames = [];
        }

        frames.Add(PhoenixModel.Frame(message.Event, message.JoinRef, message.Ref, message.Payload?.ToJsonString() ?? "null"));
    }

    private static IEnumerable<List<T>> Permutations<T>(List<T> items)
    {
        if (items.Count <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToList();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}
