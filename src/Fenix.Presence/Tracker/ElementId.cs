namespace Fenix.Presence.Tracker;

/// <summary>
/// The identity of a tracked element: a presence <paramref name="Key"/> under a <paramref name="Topic"/>, held by one
/// <paramref name="Owner"/> (a process or connection id that is unique cluster-wide, e.g. <c>"node1/42"</c>).
/// Only the replica on which the owner lives ever writes an element, which is what makes the CRDT conflict-free.
/// </summary>
internal readonly record struct ElementId(string Topic, string Owner, string Key);
