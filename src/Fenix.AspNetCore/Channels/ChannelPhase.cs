namespace Fenix.AspNetCore.Channels;

/// <summary>
/// Where one channel instance is in its life. Phases only move forward; the whole machine is
/// <see cref="ChannelLifecycle"/>. The numeric order matters: everything before <see cref="Joined"/> holds its
/// frames back until the join reply is written, everything from <see cref="Stopping"/> on ignores broadcasts.
/// </summary>
internal enum ChannelPhase
{
    /// <summary>Created by a <c>phx_join</c>; waits for the instance it replaces to finish and for a channel slot.</summary>
    Waiting = 0,

    /// <summary>The join runs (authorization, the channel's constructor, JoinAsync); what it pushes waits for the reply.</summary>
    Joining = 1,

    /// <summary>Joined and subscribed: handles client events, infos and intercepted broadcasts.</summary>
    Joined = 2,

    /// <summary>Joined, but its mailbox went over its bound: it crashes at the next message it handles.</summary>
    Overflowed = 3,

    /// <summary>Unsubscribed; TerminateAsync runs.</summary>
    Stopping = 4,

    /// <summary>Over. Client frames still queued for it are answered as for a topic that is not joined.</summary>
    Ended = 5,
}

/// <summary>
/// The channel state machine as data: which moves are legal, and one compare-and-swap to make a move. Only the
/// instance's mailbox loop makes moves, except two that other threads make: <c>Joined → Overflowed</c> (a post found
/// the mailbox full) and <c>→ Ended</c> by <see cref="ChannelServer.Abandon"/> (a replacing join gave up waiting for it).
/// A move that lost a race returns false and the caller acts on the phase that won.
/// </summary>
/// <remarks>
/// <code>
///   Waiting ──▶ Joining ──▶ Joined ──▶ Stopping ──▶ Ended
///      │           │          │  ╲                  ▲
///      │           │          │   Overflowed ──▶ Stopping
///      └───────────┴──────────┴───────┴──────────────┘  (refused, crashed join, killed by a duplicate join, abandoned)
/// </code>
/// </remarks>
internal static class ChannelLifecycle
{
    /// <summary>True if <paramref name="from"/> → <paramref name="to"/> is a move of the machine.</summary>
    public static bool IsLegal(ChannelPhase from, ChannelPhase to) => (from, to) switch
    {
        (ChannelPhase.Waiting, ChannelPhase.Joining) => true,
        (ChannelPhase.Joining, ChannelPhase.Joined) => true,
        (ChannelPhase.Joined, ChannelPhase.Overflowed) => true,
        (ChannelPhase.Joined or ChannelPhase.Overflowed, ChannelPhase.Stopping) => true,
        (not ChannelPhase.Ended, ChannelPhase.Ended) => true,
        _ => false,
    };

    /// <summary>The phase stored in <paramref name="cell"/>.</summary>
    public static ChannelPhase Read(ref int cell) => (ChannelPhase)Volatile.Read(ref cell);

    /// <summary>Moves <paramref name="cell"/> from <paramref name="from"/> to <paramref name="to"/> if it still holds <paramref name="from"/>.</summary>
    /// <exception cref="InvalidOperationException">The move is not part of the machine (a bug in Fenix).</exception>
    public static bool TryMove(ref int cell, ChannelPhase from, ChannelPhase to)
    {
        if (!IsLegal(from, to))
        {
            throw new InvalidOperationException($"A channel cannot move from {from} to {to}.");
        }

        return Interlocked.CompareExchange(ref cell, (int)to, (int)from) == (int)from;
    }

    /// <summary>Ends the machine from whatever phase it is in; returns the phase it ended from, or <see cref="ChannelPhase.Ended"/> if it already had.</summary>
    public static ChannelPhase End(ref int cell)
    {
        while (true)
        {
            var current = Read(ref cell);
            if (current == ChannelPhase.Ended || TryMove(ref cell, current, ChannelPhase.Ended))
            {
                return current;
            }
        }
    }
}
