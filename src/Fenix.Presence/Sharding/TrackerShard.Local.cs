using Fenix.Presence.Tracker;

namespace Fenix.Presence.Sharding;

/// <summary>Local writes: tracks, untracks, updates, and the links that make an owner's end remove its presences.</summary>
internal sealed partial class TrackerShard
{
    private void HandleTrack(TrackMail mail)
    {
        if (_state.Contains(mail.Owner.Id, mail.Topic, mail.Key))
        {
            mail.Reply.TrySetException(new PresenceAlreadyTrackedException(mail.Owner.Id, mail.Topic, mail.Key));
            return;
        }

        var joined = _state.Join(mail.Owner.Id, mail.Topic, mail.Key, mail.Meta);
        Link(mail.Owner);
        Report(new TrackerDiff([joined], []));
        mail.Reply.TrySetResult(joined);
    }

    private TrackerElement? HandleUntrack(UntrackMail mail)
    {
        var left = _state.Leave(mail.OwnerId, mail.Topic, mail.Key);
        if (left is null)
        {
            return null;
        }

        if (_state.GetByOwner(mail.OwnerId).Count == 0)
        {
            Unlink(mail.OwnerId);
        }

        Report(new TrackerDiff([], [left]));
        return left;
    }

    private UpdateResult HandleUpdate(UpdateMail mail)
    {
        var stored = _state.Find(mail.OwnerId, mail.Topic, mail.Key);
        if (stored is null || stored.Replica != Replica)
        {
            return new UpdateResult(UpdateOutcome.NotTracked, null);
        }

        if (mail.Expected is { } expected && stored.Dot != expected)
        {
            return new UpdateResult(UpdateOutcome.Changed, null);
        }

        var update = _state.LeaveJoin(mail.OwnerId, mail.Topic, mail.Key, mail.Meta)!.Value;
        Report(new TrackerDiff([update.Joined], [update.Left]));
        return new UpdateResult(UpdateOutcome.Updated, update);
    }

    private IReadOnlyList<TrackerElement> LeaveOwner(string ownerId)
    {
        Unlink(ownerId);
        var left = _state.LeaveOwner(ownerId);
        if (left.Count > 0)
        {
            Report(new TrackerDiff([], left));
        }

        return left;
    }

    /// <summary>Makes the owner's end remove its presences (Phoenix links the shard to the tracked process).</summary>
    private void Link(PresenceOwner owner)
    {
        if (!owner.Ended.CanBeCanceled || _ownerLinks.ContainsKey(owner.Id))
        {
            return;
        }

        // Registering on an already cancelled token runs the callback now, which queues the owner's end behind this track.
        _ownerLinks[owner.Id] = owner.Ended.UnsafeRegister(
            static state =>
            {
                var (shard, id) = ((TrackerShard, string))state!;
                shard.Post(new OwnerEndedMail(id));
            },
            (this, owner.Id));
    }

    private void Unlink(string ownerId)
    {
        if (_ownerLinks.Remove(ownerId, out var registration))
        {
            registration.Unregister();
        }
    }
}
