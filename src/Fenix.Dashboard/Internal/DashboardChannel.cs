namespace Fenix.Dashboard.Internal;

/// <summary>
/// One open dashboard page. Joining answers with this node's snapshot (so the page draws at once) and starts saying
/// "someone watches" to every node every few seconds; the nodes' snapshots then arrive as <c>node</c> broadcasts on
/// this topic. Client event: <c>presence {topic}</c> → the topic's presence keys with their meta counts.
/// </summary>
internal sealed class DashboardChannel(DashboardCollector collector, IFenixBroadcaster broadcaster) : Channel
{
    /// <summary>The pending "watch" timer; replaced every period, disposed when the channel ends.</summary>
    private IDisposable? _watchTimer;

    public override async ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        Send(Watch.Instance);
        var snapshot = await collector.CollectAsync(CancellationToken.None);
        return JoinResult.Ok(DashboardJson.ToPayload(snapshot));
    }

    public override ValueTask HandleInfoAsync(object message)
    {
        if (message is not Watch)
        {
            return base.HandleInfoAsync(message);
        }

        broadcaster.Broadcast(DashboardTopics.Watch, DashboardTopics.WatchEvent);
        _watchTimer = SendAfter(Watch.Instance, DashboardTopics.WatchPeriod);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        if (@event != "presence" || !payload.TryGetString("topic", out var topic) || topic.Length is 0 or > 1024)
        {
            return HandleInResult.Error(new { reason = "expected presence {topic}" });
        }

        var rows = await collector.PresenceAsync(topic);
        return HandleInResult.Ok(DashboardJson.ToPayload(new { topic, keys = rows }));
    }

    public override ValueTask TerminateAsync(TerminateReason reason)
    {
        _watchTimer?.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Watch
    {
        public static Watch Instance { get; } = new();
    }
}
