using Fenix;
using Microsoft.Extensions.Options;

namespace Demo.Dispatch;

/// <summary>
/// A background service that, every <see cref="DispatchOptions.PagerInterval"/>, picks a random hero present on
/// <c>notifications:lobby</c> and sends it a direct notification through its own topic, from outside any channel.
/// </summary>
public sealed partial class DispatchPager(
    IPresence presence,
    IFenixBroadcaster broadcaster,
    TimeProvider time,
    IOptions<DispatchOptions> options,
    ILogger<DispatchPager> logger) : BackgroundService
{
    private static readonly string[] Incidents =
    [
        "A cat is stuck on the clock tower.",
        "The city aquarium reports a very large octopus with plans.",
        "Someone left the mad scientist's lab unlocked again.",
        "Traffic lights downtown are spelling out riddles.",
        "A meteor shower is heading for the harbour.",
        "The museum's golden statue just blinked.",
    ];

    /// <summary>Sends one notification to a random present hero; returns who got it, or null when nobody is present.</summary>
    public async Task<string?> PageAsync(CancellationToken cancellationToken = default)
    {
        var heroes = await presence.ListAsync(DispatchTopics.Lobby, cancellationToken);
        if (heroes.Count == 0)
        {
            return null;
        }

        var hero = heroes.Keys.ElementAt(Random.Shared.Next(heroes.Count));
        var incident = Incidents[Random.Shared.Next(Incidents.Length)];
        broadcaster.Broadcast(DispatchTopics.Hero(hero), Notification.Event, Notification.Create("dispatch", "Dispatch", incident, time));
        return hero;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PagerInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PageAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                PageFailed(e);
            }
        }
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "The dispatcher could not page a hero; it tries again at the next tick.")]
    private partial void PageFailed(Exception exception);
}
