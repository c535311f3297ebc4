using System.Text;
using Fenix.AspNetCore.History;
using Fenix.PubSub.History;
using Xunit;

namespace Fenix.AspNetCore.Tests.History;

/// <summary>All or nothing: what a join replays, decided from the request and what the store returned.</summary>
public sealed class RecoveryPlannerTests
{
    private const string Epoch = "0abcdefgh1234";
    private const long Now = 1_000_000;
    private static readonly HistoryLimits Limits = new(100, TimeSpan.FromMinutes(1));

    [Fact]
    public void Everything_after_the_position_is_replayed_when_the_stream_still_holds_it()
    {
        var plan = Plan(Since(3), Slice(top: 6, from: 4));
        Assert.True(plan.Recovered);
        Assert.Null(plan.Reason);
        Assert.Equal(3, plan.Start);
        Assert.Equal(6, plan.Through);
        Assert.Equal([4L, 5L, 6L], plan.Entries.Select(e => e.Offset));
    }

    [Fact]
    public void A_client_that_missed_nothing_is_recovered_with_nothing_to_replay()
    {
        var plan = Plan(Since(6), Slice(top: 6, from: 7));
        Assert.True(plan.Recovered);
        Assert.Empty(plan.Entries);
    }

    [Theory]
    [InlineData("zzzzzzzzz0000", 3, "epoch")] // another epoch (a restart, or a position from elsewhere)
    [InlineData(Epoch, 9, "future")]
    public void Positions_the_stream_cannot_answer_are_not_recovered(string epoch, long offset, string reason)
    {
        var plan = Plan(new HistoryRequest(new HistoryPosition(epoch, offset), 0, null), Slice(top: 6, from: 1));
        Assert.False(plan.Recovered);
        Assert.Equal(reason, plan.Reason);
        Assert.Empty(plan.Entries);
        Assert.Equal(6, plan.Start); // the client is told where the stream stands
    }

    [Fact]
    public void A_hole_after_the_position_is_not_recovered_and_nothing_is_replayed()
    {
        var plan = Plan(Since(1), Slice(top: 6, from: 4)); // 2 and 3 are gone
        Assert.False(plan.Recovered);
        Assert.Equal(NotRecovered.Expired, plan.Reason);
        Assert.Empty(plan.Entries);
    }

    [Fact]
    public void Entries_older_than_the_ttl_make_the_recovery_fail_as_expired()
    {
        var slice = Slice(top: 3, from: 1, timestamp: Now - (long)Limits.Ttl.TotalMilliseconds - 1);
        Assert.Equal(NotRecovered.Expired, Plan(Since(0), slice).Reason);
    }

    [Fact]
    public void The_caps_per_recovery_turn_a_large_recovery_into_not_recovered()
    {
        Assert.Equal(NotRecovered.TooMany, RecoveryPlanner.Plan(Since(0), Slice(top: 6, from: 1), Limits, maxMessages: 5, maxBytes: 1 << 20).Reason);
        Assert.Equal(NotRecovered.TooLarge, RecoveryPlanner.Plan(Since(0), Slice(top: 6, from: 1), Limits, maxMessages: 100, maxBytes: 11).Reason);
        Assert.True(RecoveryPlanner.Plan(Since(0), Slice(top: 6, from: 1), Limits, maxMessages: 6, maxBytes: 12).Recovered); // 6 entries of 2 bytes
    }

    [Fact]
    public void A_request_for_the_last_messages_gets_the_newest_contiguous_ones_and_is_not_a_recovery()
    {
        var plan = Plan(new HistoryRequest(null, 2, null), Slice(top: 6, from: 1, kind: HistorySliceKind.Last));
        Assert.False(plan.Recovered);
        Assert.Null(plan.Reason);
        Assert.Equal([5L, 6L], plan.Entries.Select(e => e.Offset));
        Assert.Equal(4, plan.Start);
    }

    [Fact]
    public void A_failed_recovery_with_last_falls_back_to_the_last_messages_and_says_why()
    {
        var plan = Plan(new HistoryRequest(new HistoryPosition("zzzzzzzzz0000", 1), 3, null), Slice(top: 6, from: 1, kind: HistorySliceKind.Last));
        Assert.False(plan.Recovered);
        Assert.Equal(NotRecovered.Epoch, plan.Reason);
        Assert.Equal([4L, 5L, 6L], plan.Entries.Select(e => e.Offset));
    }

    [Fact]
    public void An_unreadable_store_is_unavailable_and_an_invalid_request_is_invalid()
    {
        Assert.Equal(NotRecovered.Unavailable, Plan(Since(1), slice: null).Reason);
        Assert.Null(Plan(HistoryRequest.None, slice: null).Reason); // nothing asked: nothing to say
        var invalid = Plan(new HistoryRequest(null, 0, "bad"), Slice(top: 6, from: 1));
        Assert.Equal(NotRecovered.Invalid, invalid.Reason);
        Assert.Empty(invalid.Entries);
    }

    private static RecoveryPlan Plan(HistoryRequest request, HistorySlice? slice) =>
        RecoveryPlanner.Plan(request, slice, Limits, maxMessages: 100, maxBytes: 1 << 20);

    private static HistoryRequest Since(long offset) => new(new HistoryPosition(Epoch, offset), 0, null);

    private static HistorySlice Slice(long top, long from, long timestamp = Now, HistorySliceKind kind = HistorySliceKind.Since)
    {
        var entries = new List<HistoryEntry>();
        for (var offset = from; offset <= top; offset++)
        {
            entries.Add(new HistoryEntry(offset, timestamp, Encoding.UTF8.GetBytes($"m{offset % 10}")));
        }

        return new HistorySlice(Epoch, top, Now, kind, entries);
    }
}
