namespace Fenix.Bench.ServerKit;

/// <summary>The server's own broadcast API, as the fanout scenario's publisher calls it (one call per broadcast).</summary>
public interface IBenchPublisher
{
    ValueTask PublishAsync(string topic, BenchMessage message);
}
