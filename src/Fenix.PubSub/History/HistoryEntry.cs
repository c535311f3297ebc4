namespace Fenix.PubSub.History;

/// <summary>One stored message: its offset in the stream, when it was stored (Unix milliseconds, the store's clock) and its encoded form.</summary>
public readonly record struct HistoryEntry(long Offset, long TimestampMs, ReadOnlyMemory<byte> Data);
