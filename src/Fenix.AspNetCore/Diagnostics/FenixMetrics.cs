using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Fenix.Diagnostics;

namespace Fenix.AspNetCore.Diagnostics;

/// <summary>
/// Fenix's instruments on the meter "Fenix". Names, units and tags are stable (dashboards depend on them) and every
/// one is listed in docs/observability.md; tags are bounded by code (transport, channel class, result), never by input.
/// </summary>
internal sealed class FenixMetrics : IDisposable
{
    public const string MeterName = FenixDiagnostics.MeterName;

    public const string TransportTag = "fenix.transport";
    public const string SocketTag = "fenix.socket";
    public const string ConnectResultTag = "fenix.connect.result";
    public const string ChannelTag = "fenix.channel";
    public const string JoinResultTag = "fenix.join.result";
    public const string ReplyStatusTag = "fenix.reply.status";
    public const string RefusalReasonTag = "fenix.refusal.reason";
    public const string ErrorTypeTag = "error.type";

    /// <summary>Callbacks are usually sub-millisecond; a slow database call in one takes seconds (OpenTelemetry's advice API).</summary>
    private static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    private readonly Meter _meter;

    /// <summary>Transport name → open connections; entries are never removed (there are two transports).</summary>
    private readonly ConcurrentDictionary<string, StrongBox<long>> _activeConnections = new(StringComparer.Ordinal);

    private long _activeChannels;

    public FenixMetrics(IMeterFactory meterFactory, FenixTopicStatistics topics)
    {
        Topics = topics;
        _meter = meterFactory.Create(MeterName);
        ConnectionsOpened = _meter.CreateCounter<long>(
            "fenix.connections.opened", "{connection}", "Connections accepted (the connect callback said yes), by transport");
        ConnectionsRefused = _meter.CreateCounter<long>(
            "fenix.connections.refused", "{connection}", "Connection attempts refused, by transport and reason (origin, capacity, subprotocol, vsn, connect_refused)");
        SlowConsumers = _meter.CreateCounter<long>(
            "fenix.connections.slow_consumer", "{connection}", "Connections closed because their outbound queue overflowed (close 1013)");
        Joins = _meter.CreateCounter<long>(
            "fenix.channels.joins", "{join}", "Join attempts, by channel and result (ok, error, unauthorized, crashed, unmatched, too_many)");
        ChannelCrashes = _meter.CreateCounter<long>(
            "fenix.channels.crashes", "{channel}", "Channels that crashed (a callback threw), by channel");
        MessagesIn = _meter.CreateCounter<long>("fenix.messages.in", "{message}", "Frames received from clients");
        MessagesOut = _meter.CreateCounter<long>("fenix.messages.out", "{message}", "Frames queued for clients");
        ConnectDuration = _meter.CreateHistogram(
            "fenix.socket.connect.duration", "s", "Time to run a socket's ConnectAsync, by socket, transport and result (accepted, refused, crashed)", advice: DurationAdvice);
        JoinDuration = _meter.CreateHistogram(
            "fenix.channel.join.duration", "s", "Time to run a join (authorization and JoinAsync), by channel and result", advice: DurationAdvice);
        HandleInDuration = _meter.CreateHistogram(
            "fenix.channel.handle_in.duration", "s", "Time to handle a client event (HandleInAsync and its reply), by channel and reply status", advice: DurationAdvice);
        _meter.CreateObservableUpDownCounter("fenix.connections.active", ObserveConnections, "{connection}", "Open connections, by transport");
        _meter.CreateObservableUpDownCounter("fenix.channels.active", () => Volatile.Read(ref _activeChannels), "{channel}", "Joined channels");
    }

    public Counter<long> ConnectionsOpened { get; }

    public Counter<long> ConnectionsRefused { get; }

    public Counter<long> SlowConsumers { get; }

    public Counter<long> Joins { get; }

    public Counter<long> ChannelCrashes { get; }

    public Counter<long> MessagesIn { get; }

    public Counter<long> MessagesOut { get; }

    public Histogram<double> ConnectDuration { get; }

    public Histogram<double> JoinDuration { get; }

    public Histogram<double> HandleInDuration { get; }

    /// <summary>Joined channels per topic on this node (public through DI for dashboards).</summary>
    public FenixTopicStatistics Topics { get; }

    public long ActiveConnections => _activeConnections.Values.Sum(count => Volatile.Read(ref count.Value));

    public long ActiveChannels => Volatile.Read(ref _activeChannels);

    public void ConnectionOpened(string transport)
    {
        Interlocked.Increment(ref ActiveOn(transport).Value);
        ConnectionsOpened.Add(1, new KeyValuePair<string, object?>(TransportTag, transport));
    }

    public void ConnectionClosed(string transport) => Interlocked.Decrement(ref ActiveOn(transport).Value);

    /// <summary>A connection attempt refused before a session existed.</summary>
    public void ConnectionRefused(string transport, string reason) =>
        ConnectionsRefused.Add(1, new KeyValuePair<string, object?>(TransportTag, transport), new KeyValuePair<string, object?>(RefusalReasonTag, reason));

    public void ChannelJoined(string topic)
    {
        Interlocked.Increment(ref _activeChannels);
        Topics.Joined(topic);
    }

    public void ChannelEnded(string topic)
    {
        Interlocked.Decrement(ref _activeChannels);
        Topics.Left(topic);
    }

    public void ChannelCrashed(string channel) => ChannelCrashes.Add(1, new KeyValuePair<string, object?>(ChannelTag, channel));

    public void Dispose() => _meter.Dispose();

    private StrongBox<long> ActiveOn(string transport) => _activeConnections.GetOrAdd(transport, static _ => new StrongBox<long>());

    private IEnumerable<Measurement<long>> ObserveConnections()
    {
        foreach (var (transport, count) in _activeConnections)
        {
            yield return new Measurement<long>(Volatile.Read(ref count.Value), new KeyValuePair<string, object?>(TransportTag, transport));
        }
    }
}
