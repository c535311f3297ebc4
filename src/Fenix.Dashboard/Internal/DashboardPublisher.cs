using Fenix.PubSub;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fenix.Dashboard.Internal;

/// <summary>
/// Broadcasts this node's snapshot to the dashboard topic every refresh interval — only while some page, on any node,
/// said within <see cref="DashboardTopics.WatchWindow"/> that it watches. Nothing is collected or sent otherwise.
/// </summary>
internal sealed partial class DashboardPublisher(
    DashboardCollector collector,
    FenixPubSub pubSub,
    IFenixBroadcaster broadcaster,
    IOptions<FenixDashboardOptions> options,
    TimeProvider time,
    ILogger<DashboardPublisher> log) : BackgroundService, ISubscriber
{
    /// <summary>Timestamp until which someone watches (0: nobody yet); written by PubSub deliveries, read by the loop.</summary>
    private long _watchedUntil;

    public void Deliver(string topic, object message) =>
        Volatile.Write(ref _watchedUntil, time.GetTimestamp() + (long)(DashboardTopics.WatchWindow.TotalSeconds * time.TimestampFrequency));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        pubSub.Subscribe(DashboardTopics.Watch, this);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.Value.RefreshInterval, time, stoppingToken);
                if (time.GetTimestamp() < Volatile.Read(ref _watchedUntil))
                {
                    await PublishAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            pubSub.Unsubscribe(DashboardTopics.Watch, this);
        }
    }

    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        try
        {
            var snapshot = await collector.CollectAsync(cancellationToken);
            broadcaster.Broadcast(DashboardTopics.Nodes, DashboardTopics.NodeEvent, DashboardJson.ToPayload(snapshot));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Presence stopping under us, a snapshot that failed to serialize: skip this tick, try the next.
            LogCollectFailed(log, e);
        }
    }

    [LoggerMessage(5001, LogLevel.Debug, "The dashboard could not collect this node's figures; retrying at the next tick")]
    private static partial void LogCollectFailed(ILogger logger, Exception exception);
}
