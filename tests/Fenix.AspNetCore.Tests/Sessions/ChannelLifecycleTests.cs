using Fenix.AspNetCore.Channels;
using Xunit;

namespace Fenix.AspNetCore.Tests.Sessions;

/// <summary>The channel state machine's table: phases only move forward, and a lost race leaves the winner's phase.</summary>
public sealed class ChannelLifecycleTests
{
    private static List<(ChannelPhase From, ChannelPhase To)> Legal =>
    [
        (ChannelPhase.Waiting, ChannelPhase.Joining),
        (ChannelPhase.Joining, ChannelPhase.Joined),
        (ChannelPhase.Joined, ChannelPhase.Overflowed),
        (ChannelPhase.Joined, ChannelPhase.Stopping),
        (ChannelPhase.Overflowed, ChannelPhase.Stopping),
        (ChannelPhase.Waiting, ChannelPhase.Ended),
        (ChannelPhase.Joining, ChannelPhase.Ended),
        (ChannelPhase.Joined, ChannelPhase.Ended),
        (ChannelPhase.Overflowed, ChannelPhase.Ended),
        (ChannelPhase.Stopping, ChannelPhase.Ended),
    ];

    [Fact]
    public void Exactly_the_documented_moves_are_legal()
    {
        var legal = Legal.ToHashSet();
        foreach (var from in Enum.GetValues<ChannelPhase>())
        {
            foreach (var to in Enum.GetValues<ChannelPhase>())
            {
                Assert.Equal(legal.Contains((from, to)), ChannelLifecycle.IsLegal(from, to));
            }
        }
    }

    [Fact]
    public void An_illegal_move_is_a_bug_and_says_so()
    {
        var cell = (int)ChannelPhase.Ended;
        var e = Assert.Throws<InvalidOperationException>(() => ChannelLifecycle.TryMove(ref cell, ChannelPhase.Ended, ChannelPhase.Joined));
        Assert.Contains("from Ended to Joined", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_move_from_a_phase_that_is_gone_loses_and_changes_nothing()
    {
        var cell = (int)ChannelPhase.Joined;
        Assert.True(ChannelLifecycle.TryMove(ref cell, ChannelPhase.Joined, ChannelPhase.Overflowed)); // a post found the mailbox full
        Assert.False(ChannelLifecycle.TryMove(ref cell, ChannelPhase.Joined, ChannelPhase.Stopping)); // the loop's move loses
        Assert.Equal(ChannelPhase.Overflowed, ChannelLifecycle.Read(ref cell));
        Assert.Equal(ChannelPhase.Overflowed, ChannelLifecycle.End(ref cell));
        Assert.Equal(ChannelPhase.Ended, ChannelLifecycle.End(ref cell)); // ending twice: the second learns it had ended
    }

    [Fact]
    public void Racing_ends_have_exactly_one_winner()
    {
        for (var round = 0; round < 2000; round++)
        {
            var cell = (int)ChannelPhase.Joined;
            var winners = 0;
            Parallel.For(0, 4, _ =>
            {
                if (ChannelLifecycle.End(ref cell) != ChannelPhase.Ended)
                {
                    Interlocked.Increment(ref winners);
                }
            });
            Assert.Equal(1, winners);
        }
    }
}
