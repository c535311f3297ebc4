namespace Fenix.Client;

/// <summary>The default retry schedules of phoenix.js, by attempt number (1 = first retry).</summary>
public static class Backoff
{
    private static readonly int[] ReconnectMilliseconds = [10, 50, 100, 150, 200, 250, 500, 1000, 2000];
    private static readonly int[] RejoinMilliseconds = [1000, 2000, 5000];

    /// <summary>Socket reconnect delay: 10, 50, 100, 150, 200, 250, 500, 1000, 2000 ms, then 5 s forever.</summary>
    public static TimeSpan Reconnect(int tries) => Pick(ReconnectMilliseconds, tries, 5000);

    /// <summary>Channel rejoin delay: 1 s, 2 s, 5 s, then 10 s forever.</summary>
    public static TimeSpan Rejoin(int tries) => Pick(RejoinMilliseconds, tries, 10_000);

    private static TimeSpan Pick(int[] schedule, int tries, int otherwise) =>
        TimeSpan.FromMilliseconds(tries >= 1 && tries <= schedule.Length ? schedule[tries - 1] : otherwise);
}
