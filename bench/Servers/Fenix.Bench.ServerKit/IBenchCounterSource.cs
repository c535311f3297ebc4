namespace Fenix.Bench.ServerKit;

/// <summary>More cumulative counters for <c>/bench/counters</c> (e.g. a cluster adapter's broker messages); register any number.</summary>
public interface IBenchCounterSource
{
    IEnumerable<KeyValuePair<string, long>> Read();
}
