namespace Fenix.Presence.Tracker;

/// <summary>The two halves of an in-place meta update: the retired version and its replacement.</summary>
internal readonly record struct ElementUpdate(TrackerElement Left, TrackerElement Joined);
