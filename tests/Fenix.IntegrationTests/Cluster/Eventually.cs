using System.Text.Json.Nodes;

namespace Fenix.IntegrationTests.Cluster;

/// <summary>
/// Cross-node delivery starts when the receiving node's broker binding is in place, a moment after its client joined;
/// these helpers retry an action until its effect is seen (bounded), instead of guessing that moment with a sleep.
/// </summary>
internal static class Eventually
{
    /// <summary>Runs <paramref name="attempt"/> (with its attempt number) until <paramref name="seen"/> reports success.</summary>
    public static async Task RetryAsync(Func<int, Task> attempt, Func<TimeSpan, Task<bool>> seen, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        for (var i = 0; ; i++)
        {
            await attempt(i);
            if (await seen(TimeSpan.FromMilliseconds(300)))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Expected {what} after {i + 1} attempts.");
            }
        }
    }

    /// <summary>True if the JS client reports an event matching <paramref name="match"/> within <paramref name="window"/>.</summary>
    public static async Task<bool> SeenAsync(Infrastructure.JsClient js, Func<JsonObject, bool> match, TimeSpan window)
    {
        try
        {
            await js.WaitForAsync(match, "event", window);
            return true;
        }
        catch (Xunit.Sdk.XunitException)
        {
            return false;
        }
    }

    /// <summary>Matches a <paramref name="event"/> message on <paramref name="channel"/> whose body starts with <paramref name="bodyPrefix"/>.</summary>
    public static Func<JsonObject, bool> Message(string channel, string @event, string bodyPrefix) =>
        e => Infrastructure.JsClient.Type(e) == "message" && Infrastructure.JsClient.Str(e, "channel") == channel && Infrastructure.JsClient.Str(e, "event") == @event
            && e["payload"]?["body"]?.GetValue<string>() is { } body && body.StartsWith(bodyPrefix, StringComparison.Ordinal);
}
