using Fenix.PubSub.RabbitMQ.Diagnostics;
using Fenix.PubSub.RabbitMQ.Internal;
using RabbitMQ.Client.Exceptions;

namespace Fenix.PubSub.RabbitMQ;

/// <summary>The reconnect loop: one broker session at a time, a backoff between attempts, until the adapter is disposed.</summary>
public sealed partial class RabbitMqAdapter
{
    /// <summary>AMQP reply code for an exclusive queue held by another connection.</summary>
    private const int ResourceLocked = 405;

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var failures = 0;
        var everConnected = false;
        var lostAt = 0L;
        while (!stopping.IsCancellationRequested)
        {
            BrokerSession session;
            try
            {
                session = await BrokerSession.OpenAsync(_context, stopping);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                failures++;
                var delay = Backoff(failures);
                ReportConnectFailure(e, failures, delay);
                if (!await DelayAsync(delay, stopping))
                {
                    break;
                }

                continue;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            failures = 0;
            _context.Epoch++;
            if (everConnected)
            {
                _context.Metrics.Reconnected();
                _context.Drops.Flush("broker unreachable");
                _context.Log.Reconnected(NodeName, _context.Endpoint, _time.GetElapsedTime(lostAt), session.BoundCount);
            }
            else
            {
                _context.Log.Connected(NodeName, _context.Endpoint, _context.Queue, _context.Options.Routing, session.BoundCount);
            }

            everConnected = true;
            _link.Set(true); // after the log line: start-up, which waits for the first link, returns after it
            var reason = await RunSessionAsync(session, stopping);
            if (stopping.IsCancellationRequested)
            {
                break;
            }

            lostAt = _time.GetTimestamp();
            _context.Log.ConnectionLost(_context.Endpoint, reason);
            if (!await DelayAsync(Backoff(0), stopping))
            {
                break;
            }
        }
    }

    /// <summary>Runs one session to its end; afterwards nothing is queued for other nodes until the next session is up.</summary>
    private async Task<string> RunSessionAsync(BrokerSession session, CancellationToken stopping)
    {
        string reason;
        try
        {
            reason = await session.RunAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            reason = "stopping";
        }
        catch (Exception e)
        {
            _context.Log.SessionFailed(NodeName, e);
            reason = e.Message;
        }
        finally
        {
            _link.Set(false);
            await session.DisposeAsync();
        }

        _context.Drops.Dropped(_context.Outgoing.DropAll(), "disconnected");
        return reason;
    }

    private void ReportConnectFailure(Exception exception, int attempt, TimeSpan delay)
    {
        if (exception is OperationInterruptedException { ShutdownReason.ReplyCode: ResourceLocked })
        {
            _context.Log.QueueLocked(_context.Queue, NodeName);
        }
        else if (attempt == 1)
        {
            _context.Log.ConnectFailed(_context.Endpoint, exception);
        }
        else
        {
            _context.Log.ConnectRetry(_context.Endpoint, attempt, exception.GetBaseException().Message, delay);
        }
    }

    /// <summary>Exponential from the minimum, capped at the maximum, with jitter (half to all of it) so that nodes spread out.</summary>
    private TimeSpan Backoff(int failures)
    {
        var options = _context.Options;
        var exponent = Math.Min(failures, 20);
        var ceiling = Math.Min(options.ReconnectDelayMin.TotalMilliseconds * Math.Pow(2, exponent), options.ReconnectDelayMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    /// <summary>False when stopping interrupted the pause.</summary>
    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, _time, stopping);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
