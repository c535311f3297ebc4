using Fenix.AspNetCore.Internal;

namespace Fenix.AspNetCore.Sockets;

/// <summary>What a join's claim on a channel slot came to.</summary>
internal enum Admission : byte
{
    /// <summary>Not decided yet: joins still in progress decide whether a slot is free.</summary>
    Deferred,

    /// <summary>The channel may join.</summary>
    Granted,

    /// <summary>"too many channels joined".</summary>
    Refused,

    /// <summary>The connection ended first: the join never runs.</summary>
    Cancelled,
}

/// <summary>
/// The per-connection channel limit (<see cref="SocketMountOptions.MaxChannels"/>) under pipelining, as pure data.
/// A client may send joins without waiting for answers; each join is decided as if the client had waited: a join in
/// progress that may still be refused makes the next join wait for its outcome when that outcome decides whether a slot
/// is free. Decisions and the releases that later frames cause (a leave, a duplicate join) are taken in frame order.
/// </summary>
/// <remarks>
/// A slot goes <c>Queued → Pending (joining) → Held (joined) → Released</c>, or <c>Queued → Released</c> when refused.
/// What channels report on their own (a crash, a stop, a join's outcome) applies at once: in Phoenix too a join
/// racing a channel's crash may or may not find its slot free.
/// </remarks>
internal sealed class ChannelSlots<TChannel>(int max)
    where TChannel : class
{
    private enum SlotState : byte
    {
        Queued,
        Pending,
        Held,
        Released,
    }

    /// <summary>Every channel with a claim that is not released yet.</summary>
    private readonly SmallMap<TChannel, SlotState> _slots = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Admissions and releases not applied yet, in frame order; the head is an admission that cannot be decided yet. Null
    /// when empty (an idle connection holds none): created by the first frame that must wait, dropped once drained.
    /// </summary>
    private Queue<(TChannel Channel, bool IsRelease)>? _queue;

    /// <summary>Channels with a release waiting in <see cref="_queue"/>: their end is the effect of that frame, applied in its turn. Null with the queue.</summary>
    private HashSet<TChannel>? _releasing;

    /// <summary>Channels whose admission was decided since the last <see cref="TakeDecided"/>, with the decision.</summary>
    private List<(TChannel Channel, Admission Admission)>? _decided;

    /// <summary>Slots of joined channels.</summary>
    public int Held { get; private set; }

    /// <summary>Slots of granted joins whose outcome is not known yet.</summary>
    public int Pending { get; private set; }

    public int Max => max;

    /// <summary>A join in frame order: returns its admission if it can be decided now, else <see cref="Admission.Deferred"/>.</summary>
    public Admission Admit(TChannel channel)
    {
        _slots.Add(channel, SlotState.Queued);
        if (_queue is null && TryDecide(channel) is { } now)
        {
            return now;
        }

        (_queue ??= new()).Enqueue((channel, false));
        return Admission.Deferred;
    }

    /// <summary>A later frame frees <paramref name="channel"/>'s slot (its leave, or a join replacing it), in frame order.</summary>
    public void Release(TChannel channel)
    {
        if (_queue is null)
        {
            ReleaseNow(channel);
        }
        else
        {
            _queue.Enqueue((channel, true));
            (_releasing ??= new(ReferenceEqualityComparer.Instance)).Add(channel);
        }
    }

    /// <summary>The channel reported its join's outcome.</summary>
    public void JoinResolved(TChannel channel, bool joined)
    {
        if (_slots.TryGetValue(channel, out var state) && state == SlotState.Pending)
        {
            Pending--;
            if (joined)
            {
                Held++;
                _slots.Set(channel, SlotState.Held);
            }
            else
            {
                _slots.Remove(channel);
            }

            Advance();
        }
    }

    /// <summary>
    /// The channel ended: its slot is free now, unless a frame that frees it (its leave, a join replacing it) waits in the
    /// queue, in which case the end is that frame's effect and frees the slot in that frame's turn.
    /// </summary>
    public void Ended(TChannel channel)
    {
        if (_slots.TryGetValue(channel, out var state) && state != SlotState.Queued && _releasing?.Contains(channel) != true)
        {
            ReleaseNow(channel);
            Advance();
        }
    }

    /// <summary>The connection ended: every undecided admission is cancelled.</summary>
    public void CancelAll()
    {
        _releasing = null;
        while (_queue is not null && _queue.TryDequeue(out var item))
        {
            if (!item.IsRelease && _slots.Remove(item.Channel))
            {
                (_decided ??= []).Add((item.Channel, Admission.Cancelled));
            }
        }

        _queue = null;
    }

    /// <summary>The admissions decided since the last call (to hand to their channels after the session's lock).</summary>
    public List<(TChannel Channel, Admission Admission)>? TakeDecided()
    {
        var decided = _decided;
        _decided = null;
        return decided;
    }

    private void Advance()
    {
        while (_queue is not null && _queue.TryPeek(out var head))
        {
            if (head.IsRelease)
            {
                _releasing?.Remove(head.Channel);
                ReleaseNow(head.Channel);
            }
            else if (TryDecide(head.Channel) is { } admission)
            {
                (_decided ??= []).Add((head.Channel, admission));
            }
            else
            {
                return;
            }

            _queue.Dequeue();
        }

        // Drained (every release in the queue has left _releasing too).
        _queue = null;
        _releasing = null;
    }

    /// <summary>Grants when a slot is surely free, refuses when surely none is, else null (joins in progress decide).</summary>
    private Admission? TryDecide(TChannel channel)
    {
        if (Held + Pending < max)
        {
            Pending++;
            _slots.Set(channel, SlotState.Pending);
            return Admission.Granted;
        }

        if (Held >= max)
        {
            _slots.Remove(channel);
            return Admission.Refused;
        }

        return null;
    }

    private void ReleaseNow(TChannel channel)
    {
        if (!_slots.Remove(channel, out var state))
        {
            return;
        }

        if (state == SlotState.Held)
        {
            Held--;
        }
        else if (state == SlotState.Pending)
        {
            Pending--;
        }
    }
}
