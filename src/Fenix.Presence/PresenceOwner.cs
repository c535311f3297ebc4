namespace Fenix.Presence;

/// <summary>
/// Who holds a presence: an <paramref name="Id"/> unique in the whole cluster (e.g. <c>"node1/7f3a/42"</c>, see
/// <see cref="PresenceTracker.CreateOwner"/>) and a token cancelled when the owner ends (a channel left, crashed or lost
/// its connection). When it fires, every presence of the owner leaves, on every topic. An owner whose token can never
/// be cancelled keeps its presences until they are untracked.
/// </summary>
internal readonly record struct PresenceOwner(string Id, CancellationToken Ended)
{
    /// <inheritdoc />
    public override string ToString() => Id;
}
