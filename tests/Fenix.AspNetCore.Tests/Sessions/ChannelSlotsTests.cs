using Fenix.AspNetCore.Sockets;
using Xunit;

namespace Fenix.AspNetCore.Tests.Sessions;

/// <summary>The channel limit under pipelining, as pure data: each join is decided as if the client had waited.</summary>
public sealed class ChannelSlotsTests
{
    private sealed class Ch(string name)
    {
        public override string ToString() => name;
    }

    [Fact]
    public void Joins_below_the_limit_are_granted_at_once_and_joined_ones_fill_it()
    {
        var slots = new ChannelSlots<Ch>(2);
        Ch a = new("a"), b = new("b"), c = new("c");
        Assert.Equal(Admission.Granted, slots.Admit(a));
        Assert.Equal(Admission.Granted, slots.Admit(b));
        slots.JoinResolved(a, joined: true);
        slots.JoinResolved(b, joined: true);
        Assert.Equal(Admission.Refused, slots.Admit(c));
        Assert.Equal((2, 0), (slots.Held, slots.Pending));
    }

    [Fact]
    public void At_the_limit_a_join_waits_for_the_joins_in_progress_and_later_ones_queue_behind_it()
    {
        var slots = new ChannelSlots<Ch>(1);
        Ch refused = new("refused"), next = new("next"), after = new("after");
        Assert.Equal(Admission.Granted, slots.Admit(refused));
        Assert.Equal(Admission.Deferred, slots.Admit(next)); // depends on whether "refused" joins
        Assert.Equal(Admission.Deferred, slots.Admit(after)); // frame order: after "next" is decided

        slots.JoinResolved(refused, joined: false);
        Assert.Equal([(next, Admission.Granted)], slots.TakeDecided()!);

        slots.JoinResolved(next, joined: true);
        Assert.Equal([(after, Admission.Refused)], slots.TakeDecided()!);
    }

    [Fact]
    public void A_release_sent_after_a_deferred_join_applies_after_its_decision()
    {
        var slots = new ChannelSlots<Ch>(1);
        Ch a = new("a"), b = new("b"), c = new("c");
        slots.Admit(a);
        Assert.Equal(Admission.Deferred, slots.Admit(b));
        slots.Release(a); // the client left "a" after sending the join of "b"
        Assert.Equal(Admission.Deferred, slots.Admit(c));

        slots.JoinResolved(a, joined: true); // "a" joined: "b" found no slot; then the leave freed it for "c"
        Assert.Equal([(b, Admission.Refused), (c, Admission.Granted)], slots.TakeDecided()!);
        Assert.Equal((0, 1), (slots.Held, slots.Pending));
    }

    [Fact]
    public void A_channel_that_ends_because_of_a_queued_leave_frees_its_slot_in_the_leave_s_turn()
    {
        var slots = new ChannelSlots<Ch>(2);
        Ch a = new("a"), b = new("b"), c = new("c");
        slots.Admit(a);
        slots.Admit(b);
        Assert.Equal(Admission.Deferred, slots.Admit(c));
        slots.Release(a); // the client's leave of "a", sent after the join of "c"
        slots.JoinResolved(a, joined: true);
        slots.Ended(a); // "a" handled the leave before "b" resolved: its slot is still counted for "c"
        Assert.Null(slots.TakeDecided());

        slots.JoinResolved(b, joined: true);
        Assert.Equal([(c, Admission.Refused)], slots.TakeDecided()!);
        Assert.Equal((1, 0), (slots.Held, slots.Pending));
    }

    [Fact]
    public void A_channel_that_ends_on_its_own_frees_its_slot_and_the_end_of_the_connection_cancels_the_rest()
    {
        var slots = new ChannelSlots<Ch>(1);
        Ch a = new("a"), b = new("b");
        slots.Admit(a);
        slots.JoinResolved(a, joined: true);
        Assert.Equal(Admission.Refused, slots.Admit(new Ch("x")));
        slots.Ended(a);
        Assert.Equal(Admission.Granted, slots.Admit(b));
        Assert.Equal(Admission.Deferred, slots.Admit(new Ch("y")));
        slots.CancelAll();
        Assert.Equal(Admission.Cancelled, Assert.Single(slots.TakeDecided()!).Admission);
    }
}
