namespace Fenix.Bench.LoadGen;

/// <summary>
/// Counted delivery check over connections: those that got every tracked broadcast exactly once, broadcasts that never
/// reached a connection (summed over connections), and copies beyond the first (duplicates or unknown numbers).
/// </summary>
internal readonly record struct DeliveryAudit(int ExactlyOnce, long Missing, long Extra);
