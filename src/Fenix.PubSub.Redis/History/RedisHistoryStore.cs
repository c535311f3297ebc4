using System.Globalization;
using System.Security.Cryptography;
using Fenix.PubSub.History;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Fenix.PubSub.Redis.History;

/// <summary>
/// History in Redis, shared by every node of a cluster: per topic a counter (with its epoch) and a stream bounded by
/// length and ttl, written together by one Lua script, so Redis is the one place that numbers a topic's messages.
/// Keys are <c>&lt;prefix&gt;:history:{&lt;topic&gt;}:m</c> and <c>…:s</c> (one hash slot per topic, so it also works
/// with Redis Cluster). A Redis that loses its data (restart without persistence, eviction) gives the next message a
/// new epoch: clients holding old positions are told "not recovered", never given a wrong replay.
/// </summary>
/// <remarks>
/// Appends are issued on one connection in call order without waiting, so Redis numbers one caller's appends in that
/// order. While Redis is unreachable, commands fail at once (nothing is held for later): the caller publishes live
/// without positions and starts a new epoch once Redis answers again.
/// </remarks>
public sealed class RedisHistoryStore : IHistoryStore, IAsyncDisposable, IDisposable
{
    private readonly ConfigurationOptions _configuration;
    private readonly string _prefix;
    private readonly long _retentionMs;
    private readonly ILogger _log;
    private readonly Lock _connectLock = new();

    /// <summary>The client; created by the first <see cref="StartAsync"/> (or use), replaced only if creating it failed.</summary>
    private Task<ConnectionMultiplexer>? _connecting;

    /// <param name="settings">The Redis to use (<see cref="RedisAdapterOptions.Configuration"/>) and the key prefix (<see cref="RedisAdapterOptions.Prefix"/>).</param>
    /// <param name="retention">How long an idle topic keeps its counter and epoch (at least every history topic's ttl).</param>
    public RedisHistoryStore(RedisAdapterOptions settings, TimeSpan retention, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.FromSeconds(1));
        _configuration = settings.ToConfigurationOptions();
        _prefix = settings.Prefix;
        _retentionMs = (long)retention.TotalMilliseconds;
        _log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Fenix.History.Redis");
        Endpoint = string.Join(",", _configuration.EndPoints.Select(e => e.ToString()));
    }

    public bool IsShared => true;

    /// <summary>The configured endpoints, for messages.</summary>
    public string Endpoint { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Connection().WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogWarning(7101, e, "History store: cannot reach Redis at {Endpoint} yet; broadcasts of history topics go out without positions until it answers", Endpoint);
        }
    }

    public ValueTask<HistoryPosition> AppendAsync(string topic, ReadOnlyMemory<byte> data, HistoryLimits limits, bool newEpoch, CancellationToken cancellationToken = default)
    {
        // Issued now, synchronously, so that Redis numbers this caller's appends in call order.
        var database = ConnectedDatabase();
        var (meta, stream) = Keys(topic);
        var sent = database.ScriptEvaluateAsync(
            RedisHistoryScripts.Append,
            [meta, stream],
            [EpochSuffix(), newEpoch ? "1" : "0", limits.Size, (long)limits.Ttl.TotalMilliseconds, Math.Max(_retentionMs, (long)limits.Ttl.TotalMilliseconds), data]);
        return new ValueTask<HistoryPosition>(ReadPositionAsync(sent));
    }

    public async ValueTask<HistoryPosition> StartEpochAsync(string topic, HistoryLimits limits, bool force, CancellationToken cancellationToken = default)
    {
        var database = (await Connection()).GetDatabase();
        var (meta, stream) = Keys(topic);
        var sent = database.ScriptEvaluateAsync(
            RedisHistoryScripts.StartEpoch, [meta, stream], [EpochSuffix(), Math.Max(_retentionMs, (long)limits.Ttl.TotalMilliseconds), force ? "1" : "0"]);
        return await ReadPositionAsync(sent);
    }

    public async ValueTask<HistorySlice> ReadAsync(string topic, HistoryQuery query, CancellationToken cancellationToken = default)
    {
        var database = (await Connection()).GetDatabase();
        var (meta, stream) = Keys(topic);
        var since = query.Since;
        var result = (RedisResult[])(await database.ScriptEvaluateAsync(
            RedisHistoryScripts.Read,
            [meta, stream],
            [since?.Epoch ?? "", since?.Offset ?? 0, query.Last, query.MaxCount]))!;
        var epoch = (string)result[0]!;
        var top = long.Parse((string)result[1]!, CultureInfo.InvariantCulture);
        var now = long.Parse((string)result[2]!, CultureInfo.InvariantCulture);
        var kind = (HistorySliceKind)(int)result[3];
        var raw = (RedisResult[])result[4]!;
        var entries = new HistoryEntry[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            entries[kind == HistorySliceKind.Last ? raw.Length - 1 - i : i] = ReadEntry((RedisResult[])raw[i]!);
        }

        return epoch.Length == 0 ? HistorySlice.Empty(now) : new HistorySlice(epoch, top, now, kind, entries);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connecting is { IsCompletedSuccessfully: true } connecting)
        {
            await connecting.Result.DisposeAsync();
        }
    }

    public void Dispose()
    {
        if (_connecting is { IsCompletedSuccessfully: true } connecting)
        {
            connecting.Result.Dispose();
        }
    }

    private static async Task<HistoryPosition> ReadPositionAsync(Task<RedisResult> sent)
    {
        var result = (RedisResult[])(await sent)!;
        return new HistoryPosition((string)result[0]!, long.Parse((string)result[1]!, CultureInfo.InvariantCulture));
    }

    private static HistoryEntry ReadEntry(RedisResult[] entry)
    {
        var id = (string)entry[0]!;
        var offset = long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        var fields = (RedisResult[])entry[1]!;
        long time = 0;
        ReadOnlyMemory<byte> data = default;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string)fields[i]!)
            {
                case "t":
                    time = long.Parse((string)fields[i + 1]!, CultureInfo.InvariantCulture);
                    break;
                case "d":
                    data = (byte[])fields[i + 1]!;
                    break;
            }
        }

        return new HistoryEntry(offset, time, data);
    }

    /// <summary>Four random base-36 characters: two nodes starting an epoch in the same millisecond pick different ones.</summary>
    private static string EpochSuffix() => string.Create(4, 0, static (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[RandomNumberGenerator.GetInt32(36)];
        }
    });

    private (RedisKey Meta, RedisKey Stream) Keys(string topic)
    {
        var root = $"{_prefix}:history:{{{topic}}}";
        return (root + ":m", root + ":s");
    }

    /// <summary>The database when the client exists; otherwise the append fails at once (it must not wait: order).</summary>
    private IDatabase ConnectedDatabase()
    {
        var connecting = Connection();
        if (!connecting.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException($"The history store has no connection to Redis at {Endpoint} yet.");
        }

        return connecting.Result.GetDatabase();
    }

    private Task<ConnectionMultiplexer> Connection()
    {
        lock (_connectLock)
        {
            if (_connecting is null || _connecting.IsFaulted)
            {
                _connecting = ConnectionMultiplexer.ConnectAsync(_configuration);
            }

            return _connecting;
        }
    }
}
