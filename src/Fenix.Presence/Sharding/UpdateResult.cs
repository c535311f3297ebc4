using Fenix.Presence.Tracker;

namespace Fenix.Presence.Sharding;

/// <summary>How a conditional meta update ended.</summary>
internal enum UpdateOutcome
{
    /// <summary>The meta was replaced.</summary>
    Updated,

    /// <summary>The owner does not track the key on the topic.</summary>
    NotTracked,

    /// <summary>The stored version is no longer the expected one (a concurrent update won): read again and retry.</summary>
    Changed,
}

/// <summary>The outcome of <see cref="TrackerShard.UpdateAsync"/> and, when updated, both versions.</summary>
internal readonly record struct UpdateResult(UpdateOutcome Outcome, ElementUpdate? Update);
