namespace Fenix.PubSub.Specification;

/// <summary>A subscriber that records what it receives and lets a test await it (default timeout from the suite).</summary>
public sealed class RecordingSubscriber(string name, TimeSpan timeout) : ISubscriber
{
    private readonly List<(string Topic, object Message)> _received = [];

    /// <summary>Completed (and replaced) after each delivery; under the lock of <see cref="_received"/>.</summary>
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    /// <summary>Texts of the <see cref="ConformanceMessage"/>s received so far, in order.</summary>
    public IReadOnlyList<string> Texts
    {
        get
        {
            lock (_received)
            {
                return [.. _received.Select(r => r.Message).OfType<ConformanceMessage>().Select(m => m.Text)];
            }
        }
    }

    /// <summary>Texts received on <paramref name="topic"/>, in order.</summary>
    public IReadOnlyList<string> TextsOn(string topic)
    {
        lock (_received)
        {
            return [.. _received.Where(r => r.Topic == topic).Select(r => r.Message).OfType<ConformanceMessage>().Select(m => m.Text)];
        }
    }

    public void Deliver(string topic, object message)
    {
        TaskCompletionSource changed;
        lock (_received)
        {
            _received.Add((topic, message));
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Waits until <paramref name="text"/> was received; fails with what was received instead.</summary>
    public Task WaitForAsync(string text) => WaitUntilAsync(texts => texts.Contains(text), $"\"{text}\"");

    /// <summary>Waits until at least <paramref name="count"/> texts were received.</summary>
    public Task WaitForCountAsync(int count) => WaitUntilAsync(texts => texts.Count >= count, $"{count} messages");

    private async Task WaitUntilAsync(Func<IReadOnlyList<string>, bool> done, string what)
    {
        // Assertion timeouts are wall-clock time on purpose: they bound how long a test waits, whatever clock the adapter uses.
        var clock = TimeProvider.System;
        var deadline = clock.GetUtcNow() + timeout;
        while (true)
        {
            Task changed;
            lock (_received)
            {
                changed = _changed.Task;
            }

            var texts = Texts;
            if (done(texts))
            {
                return;
            }

            var left = deadline - clock.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{Name} expected {what} within {timeout.TotalSeconds:0.#} s; received {texts.Count}: [{string.Join(", ", texts.Take(20))}{(texts.Count > 20 ? ", …" : "")}]");
            }

            await Task.WhenAny(changed, Task.Delay(left, clock));
        }
    }
}
