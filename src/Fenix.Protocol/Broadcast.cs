namespace Fenix;

/// <summary>A message for every subscriber of a topic; encoded with null join_ref and ref.</summary>
public sealed record Broadcast(string Topic, string Event, Payload Payload);
