using System.Diagnostics;
using Fenix.Bench.LoadGen;
using Fenix.Bench.Shared;

namespace Fenix.Bench.Orchestration;

/// <summary>
/// The load generator processes of one run. Connections are split evenly; process k binds its sockets to
/// 127.0.0.(2+k), so no process needs more than its own address's ephemeral ports.
/// </summary>
internal sealed class LoadGenFleet : IAsyncDisposable
{
    /// <summary>Below the open-file limit of 20,000 per process, with room for the runtime's own descriptors.</summary>
    public const int MaxConnectionsPerProcess = 19_000;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Connecting takes longer on a busy machine: the command timeout grows by 20 ms per connection of a process (a
    /// process's 15,000 connections may take 10 minutes on two cores shared with other work).
    /// </summary>
    private static readonly TimeSpan ConnectTimePerConnection = TimeSpan.FromMilliseconds(20);

    private readonly LoadGenProcess[] _processes;

    private LoadGenFleet(LoadGenProcess[] processes) => _processes = processes;

    public int Count => _processes.Length;

    /// <summary>CPU time (user + system) of all the load generator processes so far, in microseconds.</summary>
    public long CpuMicros() => _processes.Sum(p => p.CpuMicros());

    public static LoadGenFleet Start(int connections, int minimumProcesses, int multipleOf = 1)
    {
        var count = Math.Max(minimumProcesses, (connections + MaxConnectionsPerProcess - 1) / MaxConnectionsPerProcess);
        count = Math.Clamp((count + multipleOf - 1) / multipleOf * multipleOf, 1, 48);
        return new LoadGenFleet([.. Enumerable.Range(0, count).Select(LoadGenProcess.Start)]);
    }

    /// <summary>Opens <paramref name="connections"/> connections, each joined to its topic; see <see cref="ConnectResult"/>.</summary>
    public Task<ConnectResult> ConnectAsync(string server, string baseUrl, int connections, string topic, int roomSize = 0, ConnectOptions? options = null) =>
        ConnectAsync(server, [baseUrl], connections, topic, roomSize, options);

    /// <summary>
    /// Opens <paramref name="connections"/> connections spread evenly over the processes; process k connects to
    /// <c>baseUrls[k % baseUrls.Count]</c> (several nodes of a cluster: start a multiple of their count).
    /// </summary>
    public async Task<ConnectResult> ConnectAsync(string server, IReadOnlyList<string> baseUrls, int connections, string topic, int roomSize = 0, ConnectOptions? options = null)
    {
        options ??= new ConnectOptions();
        var share = (connections + _processes.Length - 1) / _processes.Length;
        var replies = await Task.WhenAll(_processes.Select((p, k) =>
        {
            var first = k * share;
            var count = Math.Max(0, Math.Min(share, connections - first));
            return p.SendAsync(
                new LoadGenCommand
                {
                    Op = "connect",
                    Server = server,
                    BaseUrl = baseUrls[k % baseUrls.Count],
                    SourceAddress = $"127.0.0.{2 + k}",
                    Count = count,
                    First = first,
                    Topic = topic,
                    RoomSize = roomSize,
                    NoJoin = options.NoJoin,
                    JoinTimeoutSeconds = options.JoinTimeout.TotalSeconds,
                    Concurrency = options.Concurrency,
                    Lean = options.Lean,
                },
                CommandTimeout + (ConnectTimePerConnection * count));
        }));
        var latency = new LatencyHistogram();
        foreach (var reply in replies)
        {
            latency.Add(reply.ConnectLatency ?? []);
        }

        var seconds = Stopwatch.GetElapsedTime(replies.Min(r => r.StartTs), replies.Max(r => r.EndTs)).TotalSeconds;
        return new ConnectResult(replies.Sum(r => r.Ok), replies.Sum(r => r.Failed), replies.FirstOrDefault(r => r.FirstError is not null)?.FirstError, seconds, latency);
    }

    public Task<LoadGenEvent[]> SendAllAsync(LoadGenCommand command) =>
        Task.WhenAll(_processes.Select(p => p.SendAsync(command, CommandTimeout)));

    public Task ResetAsync(int sequences = 0) => SendAllAsync(new LoadGenCommand { Op = "reset", PerConnection = sequences });

    /// <summary>Polls until <paramref name="done"/> holds for the summed progress, progress stalls for <paramref name="stall"/>, or <paramref name="timeout"/>.</summary>
    public async Task<FleetProgress> WaitAsync(Func<FleetProgress, bool> done, TimeSpan stall, TimeSpan timeout)
    {
        var start = Stopwatch.GetTimestamp();
        var lastChange = start;
        var last = new FleetProgress(-1, 0, 0);
        while (true)
        {
            var replies = await SendAllAsync(new LoadGenCommand { Op = "progress" });
            var now = new FleetProgress(replies.Sum(r => r.Received), replies.Sum(r => r.Dropped), replies.Sum(r => (long)r.Agreed));
            if (done(now))
            {
                return now;
            }

            if (now != last)
            {
                last = now;
                lastChange = Stopwatch.GetTimestamp();
            }

            if (Stopwatch.GetElapsedTime(lastChange) > stall || Stopwatch.GetElapsedTime(start) > timeout)
            {
                return now;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Everything measured since the last reset, merged over the processes.</summary>
    public async Task<FleetReport> ReportAsync()
    {
        var replies = await SendAllAsync(new LoadGenCommand { Op = "report" });
        var latency = new LatencyHistogram();
        var seqLength = replies.Max(r => r.SeqMaxMicros?.Length ?? 0);
        var seqMax = Enumerable.Repeat(-1L, seqLength).ToArray();
        foreach (var reply in replies)
        {
            latency.Add(reply.Latency ?? []);
            var slots = reply.SeqMaxMicros ?? [];
            for (var i = 0; i < slots.Length; i++)
            {
                seqMax[i] = Math.Max(seqMax[i], slots[i]);
            }
        }

        var firstSent = replies.Where(r => r.FirstSentTs > 0).Select(r => r.FirstSentTs).DefaultIfEmpty(0).Min();
        return new FleetReport(
            replies.Sum(r => r.Received),
            replies.Sum(r => r.Dropped),
            firstSent,
            replies.Max(r => r.LastReceivedTs),
            latency,
            seqMax,
            replies.Sum(r => r.PresenceFrames),
            new DeliveryAudit(replies.Sum(r => r.ExactlyOnce), replies.Sum(r => r.Missing), replies.Sum(r => r.Extra)),
            replies.FirstOrDefault(r => r.FirstError is not null)?.FirstError);
    }

    /// <summary>Resident memory of all the load generator processes, in bytes.</summary>
    public long Rss() => _processes.Sum(p => ProcStat.Memory(p.Pid).Rss);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_processes.Select(p => p.DisposeAsync().AsTask()));
    }
}

/// <summary>
/// How connections are opened: joined or not, the per-connection join timeout, connections opened at once per process,
/// and with <paramref name="Lean"/> by <see cref="LeanConnector"/> (raw sockets) where the wire allows it.
/// </summary>
internal sealed record ConnectOptions(bool NoJoin = false, TimeSpan JoinTimeout = default, int Concurrency = 64, bool Lean = false);

internal sealed record ConnectResult(int Ok, int Failed, string? FirstError, double Seconds, LatencyHistogram Latency);

internal sealed record FleetProgress(long Received, int Dropped, long Agreed);

internal sealed record FleetReport(
    long Received,
    int Dropped,
    long FirstSentTs,
    long LastReceivedTs,
    LatencyHistogram Latency,
    long[] SeqMaxMicros,
    long PresenceFrames,
    DeliveryAudit Audit,
    string? FirstClose)
{
    /// <summary>From the first message's send to the last receive, in seconds.</summary>
    public double Span => FirstSentTs > 0 && LastReceivedTs > FirstSentTs
        ? Stopwatch.GetElapsedTime(FirstSentTs, LastReceivedTs).TotalSeconds
        : 0;
}
