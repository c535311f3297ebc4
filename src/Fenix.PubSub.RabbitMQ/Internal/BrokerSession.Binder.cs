using Fenix.PubSub.RabbitMQ.Diagnostics;

namespace Fenix.PubSub.RabbitMQ.Internal;

/// <summary>
/// The binder loop: one binding of the broadcast exchange to this node's queue per active topic. Bindings are sent
/// without waiting for each answer (no-wait), and a cheap synchronous call after every batch confirms them all, since a
/// channel's methods are processed in order. Unbinding has no no-wait form in AMQP, so unbinds go in small rounds after
/// the binds, which a new subscriber is waiting for.
/// </summary>
internal sealed partial class BrokerSession
{
    /// <summary>No-wait binds sent before a synchronous call confirms them.</summary>
    private const int BindsPerConfirm = 256;

    /// <summary>Unbinds per round, so that a burst of them does not hold back the binds behind it.</summary>
    private const int UnbindsPerRound = 64;

    /// <summary>Topics bound on this session's queue; owned by the binder loop.</summary>
    private readonly HashSet<string> _boundTopics = new(StringComparer.Ordinal);

    /// <summary>Bound topics per routing key (distinct topics share a key only through hashing); owned by the binder loop.</summary>
    private readonly Dictionary<string, int> _keyReferences = new(StringComparer.Ordinal);

    private async Task BindAllAsync(CancellationToken cancellationToken)
    {
        if (!_context.BindsPerTopic)
        {
            // One binding receives every broadcast; topics are filtered on arrival, so subscriptions need no broker work.
            await _topologyChannel.QueueBindAsync(_context.Queue, _context.Exchange, BrokerNames.AllNodes, arguments: null, cancellationToken: cancellationToken);
            _context.Bindings.MarkApplied(_context.Bindings.Snapshot().Generation);
            return;
        }

        var (topics, generation) = _context.Bindings.Snapshot();
        await BindAsync(topics, cancellationToken);
        _context.Bindings.MarkApplied(generation);
    }

    private async Task BindLoopAsync(CancellationToken cancellationToken)
    {
        var bindings = _context.Bindings;
        while (!cancellationToken.IsCancellationRequested)
        {
            await bindings.WaitForWorkAsync(cancellationToken);
            var (changed, generation) = bindings.TakeChanges();
            if (!_context.BindsPerTopic)
            {
                bindings.MarkApplied(generation); // nothing to do on the broker
                continue;
            }

            var toBind = new List<string>();
            var toUnbind = new List<string>();
            foreach (var topic in changed)
            {
                var wanted = bindings.IsActive(topic);
                var bound = _boundTopics.Contains(topic);
                if (wanted && !bound)
                {
                    toBind.Add(topic);
                }
                else if (!wanted && bound)
                {
                    toUnbind.Add(topic);
                }
            }

            await BindAsync(toBind, cancellationToken);
            var deferred = toUnbind.Count > UnbindsPerRound;
            if (deferred)
            {
                bindings.Requeue(toUnbind.GetRange(UnbindsPerRound, toUnbind.Count - UnbindsPerRound));
                toUnbind.RemoveRange(UnbindsPerRound, toUnbind.Count - UnbindsPerRound);
            }

            await UnbindAsync(toUnbind, cancellationToken);
            if (!deferred)
            {
                bindings.MarkApplied(generation);
            }

            if (toBind.Count + toUnbind.Count > 0)
            {
                _context.Log.BindingsApplied(toBind.Count, toUnbind.Count, _boundTopics.Count);
            }
        }
    }

    private async Task BindAsync(List<string> topics, CancellationToken cancellationToken)
    {
        var unconfirmed = 0;
        var operations = 0;
        foreach (var topic in topics)
        {
            var key = BrokerNames.RoutingKey(topic);
            _boundTopics.Add(topic);
            var references = _keyReferences.GetValueOrDefault(key);
            _keyReferences[key] = references + 1;
            if (references > 0)
            {
                continue;
            }

            await _topologyChannel.QueueBindAsync(_context.Queue, _context.Exchange, key, arguments: null, noWait: true, cancellationToken);
            operations++;
            if (++unconfirmed == BindsPerConfirm)
            {
                await ConfirmAsync(cancellationToken);
                unconfirmed = 0;
            }
        }

        if (unconfirmed > 0)
        {
            await ConfirmAsync(cancellationToken);
        }

        _context.Metrics.BindingOperations(operations);
    }

    private async Task UnbindAsync(List<string> topics, CancellationToken cancellationToken)
    {
        var operations = 0;
        foreach (var topic in topics)
        {
            var key = BrokerNames.RoutingKey(topic);
            _boundTopics.Remove(topic);
            var references = _keyReferences.GetValueOrDefault(key) - 1;
            if (references > 0)
            {
                _keyReferences[key] = references;
                continue;
            }

            _keyReferences.Remove(key);
            await _topologyChannel.QueueUnbindAsync(_context.Queue, _context.Exchange, key, arguments: null, cancellationToken);
            operations++;
        }

        _context.Metrics.BindingOperations(operations);
    }

    /// <summary>A synchronous round trip on the topology channel: when it returns, every earlier no-wait bind was applied.</summary>
    private async Task ConfirmAsync(CancellationToken cancellationToken) =>
        await _topologyChannel.QueueDeclarePassiveAsync(_context.Queue, cancellationToken);
}
