using Fenix.Bench.ServerKit;
using Fenix.PubSub;
using Fenix.PubSub.RabbitMQ;
using Fenix.PubSub.Redis;

namespace Fenix.Bench.FenixServer;

/// <summary>The cluster adapter's broker traffic for <c>/bench/counters</c>: messages published and received, broker messages (batches).</summary>
internal sealed class AdapterCounters(FenixPubSub pubSub) : IBenchCounterSource
{
    public IEnumerable<KeyValuePair<string, long>> Read()
    {
        if (pubSub.Adapter is RabbitMqAdapter rabbit)
        {
            var counters = rabbit.Counters;
            yield return new("broker_published", counters.Published);
            yield return new("broker_batches", counters.Batches);
            yield return new("broker_received", counters.Received);
            yield return new("broker_dropped", counters.Dropped);
        }
        else if (pubSub.Adapter is RedisAdapter redis)
        {
            var counters = redis.Counters;
            yield return new("broker_published", counters.Published);
            yield return new("broker_batches", counters.Batches);
            yield return new("broker_received", counters.Received);
            yield return new("broker_dropped", counters.Dropped);
        }
    }
}
