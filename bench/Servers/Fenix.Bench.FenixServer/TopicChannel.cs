namespace Fenix.Bench.FenixServer;

/// <summary>A topic anyone may join and only the server publishes to (idle and fanout scenarios).</summary>
public sealed class TopicChannel : Channel;
