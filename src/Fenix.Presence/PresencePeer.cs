using Fenix.Presence.Tracker;

namespace Fenix.Presence;

/// <summary>Another node as this node's presence tracker sees it (<see cref="PresenceTracker.GetPeersAsync"/>).</summary>
/// <param name="Node">The node's name.</param>
/// <param name="Status">Up while it keeps talking; Down after the down period of silence (its presences are hidden).</param>
internal readonly record struct PresencePeer(string Node, ReplicaStatus Status);
