namespace Fenix.Client.Tests;

public sealed class BackoffTests
{
    [Fact]
    public void Reconnect_follows_the_phoenix_js_schedule_then_stays_at_five_seconds()
    {
        int[] expected = [10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000, 5000, 5000];
        var actual = Enumerable.Range(1, expected.Length).Select(tries => (int)Backoff.Reconnect(tries).TotalMilliseconds);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Rejoin_waits_one_two_five_then_ten_seconds()
    {
        int[] expected = [1000, 2000, 5000, 10_000, 10_000, 10_000];
        var actual = Enumerable.Range(1, expected.Length).Select(tries => (int)Backoff.Rejoin(tries).TotalMilliseconds);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Out_of_range_tries_use_the_final_delay()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Backoff.Reconnect(0));
        Assert.Equal(TimeSpan.FromSeconds(10), Backoff.Rejoin(-1));
    }
}
