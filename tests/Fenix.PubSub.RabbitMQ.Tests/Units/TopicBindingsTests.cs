using Fenix.PubSub.RabbitMQ.Internal;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Fenix.PubSub.RabbitMQ.Tests.Units;

public sealed class TopicBindingsTests
{
    [Fact]
    public void Changes_are_coalesced_per_topic_and_the_desired_state_is_read_when_applying()
    {
        var bindings = new TopicBindings(new FakeTimeProvider(), TimeSpan.Zero);
        bindings.Activate("a");
        bindings.Activate("b");
        bindings.Deactivate("b");

        var (topics, generation) = bindings.TakeChanges();
        Assert.Equal(["a", "b"], topics.Order());
        Assert.True(bindings.IsActive("a"));
        Assert.False(bindings.IsActive("b"));
        Assert.Equal(3, generation);
        Assert.Empty(bindings.TakeChanges().Topics);
    }

    [Fact]
    public async Task A_flush_completes_when_every_change_before_it_is_applied()
    {
        var bindings = new TopicBindings(new FakeTimeProvider(), TimeSpan.Zero);
        Assert.True(bindings.FlushAsync(CancellationToken.None).IsCompleted);
        bindings.Activate("a");
        var flush = bindings.FlushAsync(CancellationToken.None);
        bindings.Activate("b");
        var later = bindings.FlushAsync(CancellationToken.None);

        bindings.MarkApplied(1);
        await flush;
        Assert.False(later.IsCompleted);
        bindings.MarkApplied(2);
        await later;
    }

    [Fact]
    public void Deactivated_topics_linger_until_the_unbind_delay_passed()
    {
        var clock = new FakeTimeProvider();
        var bindings = new TopicBindings(clock, TimeSpan.FromSeconds(5));
        bindings.Activate("a");
        bindings.TakeChanges();
        bindings.Deactivate("a");
        Assert.Empty(bindings.TakeChanges().Topics);

        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(bindings.TakeChanges().Topics);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["a"], bindings.TakeChanges().Topics);
    }

    [Fact]
    public async Task The_binder_wakes_up_for_new_work()
    {
        var bindings = new TopicBindings(new FakeTimeProvider(), TimeSpan.Zero);
        var wait = bindings.WaitForWorkAsync(CancellationToken.None);
        Assert.False(wait.IsCompleted);
        bindings.Activate("a");
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(bindings.WaitForWorkAsync(CancellationToken.None).IsCompleted); // still dirty until taken
    }

    [Fact]
    public async Task The_binder_wakes_up_when_a_lingering_topic_falls_due()
    {
        var clock = new FakeTimeProvider();
        var bindings = new TopicBindings(clock, TimeSpan.FromSeconds(5));
        bindings.Activate("a");
        bindings.TakeChanges();
        bindings.Deactivate("a");
        bindings.TakeChanges();

        var wait = bindings.WaitForWorkAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(["a"], bindings.TakeChanges().Topics);
    }
}
