using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Tests.Channels;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.AspNetCore.Tests.Diagnostics;

/// <summary>
/// A client retrying refused joins forever must not flood the log: one warning when refusals start, then at most one
/// summary per interval with the counts; every refusal is still logged at Debug.
/// </summary>
public sealed class JoinRefusalReporterTests
{
    private readonly TestLogSink _logs = new();
    private readonly SteppedClock _clock = new();
    private readonly JoinRefusalReporter _reporter;

    public JoinRefusalReporterTests() =>
        _reporter = new JoinRefusalReporter(_logs.CreateLogger("Fenix.Channel"), _clock, TimeSpan.FromSeconds(10));

    [Fact]
    public void A_burst_of_refusals_logs_one_warning_then_one_summary_per_interval()
    {
        for (var i = 0; i < 500; i++)
        {
            _reporter.Refused("unmatched", "rooms:nope");
        }

        var first = Assert.Single(Warnings());
        Assert.Equal(2016, first.EventId.Id);
        Assert.Contains("rooms:nope", first.Message, StringComparison.Ordinal);
        Assert.Contains("unmatched", first.Message, StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromSeconds(9));
        _reporter.Refused("too_many", "rooms:x");
        Assert.Single(Warnings()); // still within the interval

        _clock.Advance(TimeSpan.FromSeconds(1));
        _reporter.Refused("unauthorized", "admin:1");
        var summary = Warnings()[1];
        Assert.Equal(2017, summary.EventId.Id);
        Assert.Equal(
            "Refused 501 joins in the last 10 s: 499 for topics no channel route matches, 1 over MaxChannels, 1 unauthorized (latest: admin:1, unauthorized); clients keep retrying them",
            summary.Message);
    }

    [Fact]
    public void Joins_that_succeed_fail_in_the_channel_or_crash_are_not_summarised()
    {
        foreach (var result in new[] { "ok", "error", "crashed", "replaced" })
        {
            _reporter.Refused(result, "rooms:1");
        }

        Assert.Empty(Warnings());
    }

    [Fact]
    public async Task A_join_to_an_unmatched_topic_logs_at_debug_per_refusal_and_warns_once()
    {
        await using var host = new ChannelTestHost(services => services.AddSingleton(new ChannelProbe())) { AssertTimeout = Patience.Default };
        var socket = host.Socket<TestUserSocket>(("user_id", "1"));
        for (var i = 0; i < 20; i++)
        {
            var reply = await socket.JoinAsync("nowhere:1");
            Assert.False(reply.IsOk);
        }

        Assert.Equal(20, host.Logs.Entries.Count(e => e.EventId.Id == 2004 && e.Level == LogLevel.Debug));
        Assert.Single(host.Logs.Entries, e => e.Level >= LogLevel.Warning && e.Category == "Fenix.Channel");
    }

    private List<LogEntry> Warnings() => [.. _logs.Entries.Where(e => e.Level == LogLevel.Warning)];

    /// <summary>A clock whose timestamps move only when told (the reporter reads nothing else).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
