using Fenix.Client.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Fenix.Client.Internal;

/// <summary>
/// The single loop that owns a socket's state: every state change, timer expiry and transport event runs here,
/// one at a time and in posting order, so user handlers raised from here never run concurrently for one socket.
/// </summary>
internal sealed class Dispatcher : IAsyncDisposable
{
    /// <summary>The dispatcher whose loop the current thread is running (null elsewhere).</summary>
    [ThreadStatic]
    private static Dispatcher? t_current;

    private readonly System.Threading.Channels.Channel<Action> _queue =
        System.Threading.Channels.Channel.CreateUnbounded<Action>(new() { SingleReader = true });

    private readonly ILogger _log;
    private readonly Task _loop;

    public Dispatcher(ILogger log)
    {
        _log = log;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>True when called from this dispatcher's loop.</summary>
    public bool IsCurrent => t_current == this;

    /// <summary>Queues <paramref name="work"/>; dropped silently once the dispatcher is disposed.</summary>
    public void Post(Action work) => _queue.Writer.TryWrite(work);

    /// <summary>Runs <paramref name="work"/> on the loop and returns its result (continuations never run on the loop).</summary>
    public Task<T> InvokeAsync<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = _queue.Writer.TryWrite(() =>
        {
            try
            {
                completion.TrySetResult(work());
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        });
        if (!posted)
        {
            completion.TrySetException(new ObjectDisposedException(nameof(Socket)));
        }

        return completion.Task;
    }

    public Task InvokeAsync(Action work) => InvokeAsync(() =>
    {
        work();
        return true;
    });

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (!IsCurrent)
        {
            await _loop;
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            t_current = this;
            try
            {
                while (reader.TryRead(out var work))
                {
                    try
                    {
                        work();
                    }
                    catch (Exception e)
                    {
                        _log.HandlerFailed(e);
                    }
                }
            }
            finally
            {
                t_current = null;
            }
        }
    }
}
