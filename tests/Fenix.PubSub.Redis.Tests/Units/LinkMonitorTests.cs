using Fenix.PubSub.Redis.Internal;
using Xunit;

namespace Fenix.PubSub.Redis.Tests.Units;

/// <summary>The link's state machine, driven with observations and explicit times (no clock, no Redis).</summary>
public sealed class LinkMonitorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void A_node_joins_only_when_a_probe_sent_after_connecting_comes_back()
    {
        var link = New();
        Assert.Equal(LinkAction.Wait, link.Step(Seen(0, connected: false)));
        Assert.Equal(LinkAction.Subscribe, link.Step(Seen(1, subscribed: false)));
        Assert.Equal(LinkAction.SendProbe, link.Step(Seen(2)));
        Assert.Equal((LinkPhase.Confirming, 1L), (link.Phase, link.Probe));
        Assert.Equal(LinkAction.Wait, link.Step(Seen(2.1, echoed: 0)));
        Assert.Equal(LinkAction.Joined, link.Step(Seen(2.15, echoed: 1)));
        Assert.Equal(LinkPhase.Connected, link.Phase);
    }

    [Fact]
    public void While_confirming_probes_are_resent_until_one_comes_back_and_an_old_echo_does_not_count()
    {
        var link = Confirming();
        Assert.Equal(LinkAction.SendProbe, link.Step(Seen(0.3)));
        Assert.Equal(LinkAction.SendProbe, link.Step(Seen(0.6)));
        Assert.Equal(3, link.Probe);
        Assert.Equal(LinkAction.Wait, link.Step(Seen(0.65, echoed: 2))); // an earlier probe, from before the last resend
        Assert.Equal(LinkAction.Joined, link.Step(Seen(0.7, echoed: 3)));
    }

    [Fact]
    public void A_failure_while_confirming_goes_back_to_connecting_without_joining()
    {
        var link = Confirming();
        Assert.Equal(LinkAction.Wait, link.Step(Seen(0.1, failures: 1, echoed: 1)));
        Assert.Equal(LinkPhase.Connecting, link.Phase);
        Assert.Equal(LinkAction.SendProbe, link.Step(Seen(0.2, failures: 1)));
        Assert.Equal(LinkAction.Joined, link.Step(Seen(0.3, failures: 1, echoed: link.Probe)));
    }

    [Fact]
    public void A_connection_failure_takes_a_connected_node_out_with_the_clients_reason()
    {
        var link = Connected(out var at);
        Assert.Equal(LinkAction.Wait, link.Step(Seen(at + 1, echoed: link.Probe)));
        Assert.Equal(LinkAction.Lost, link.Step(Seen(at + 1.5, failures: 1, echoed: link.Probe)));
        Assert.Null(link.LostReason);
        Assert.Equal(LinkPhase.Connecting, link.Phase);
    }

    [Fact]
    public void A_connected_node_probes_every_interval_and_leaves_when_a_probe_is_late()
    {
        var link = Connected(out var at);
        Assert.Equal(LinkAction.Wait, link.Step(Seen(at + 4.9, echoed: link.Probe)));
        Assert.Equal(at + 5, link.NextCheck.TotalSeconds, precision: 6);
        Assert.Equal(LinkAction.SendProbe, link.Step(Seen(at + 5, echoed: link.Probe - 0)));
        var probe = link.Probe;
        Assert.Equal(LinkAction.Wait, link.Step(Seen(at + 7.9, echoed: probe - 1)));
        Assert.Equal(LinkAction.Lost, link.Step(Seen(at + 8, echoed: probe - 1)));
        Assert.Contains("did not come back", link.LostReason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answered_probe_schedules_the_next_one_an_interval_after_it_was_sent()
    {
        var link = Connected(out var at);
        Assert.Equal(LinkAction.SendProbe, link.Step(Seen(at + 5, echoed: link.Probe)));
        Assert.Equal(LinkAction.Wait, link.Step(Seen(at + 5.01, echoed: link.Probe)));
        Assert.Equal(at + 10, link.NextCheck.TotalSeconds, precision: 6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    public void Whatever_the_interleaving_a_node_is_connected_only_after_an_echo_of_its_current_probe_and_never_with_an_unseen_failure(int seed)
    {
        var random = new Random(seed);
        var link = New();
        var failures = 0;
        long echoed = 0;
        var now = 0.0;
        var connected = false;
        for (var step = 0; step < 2_000; step++)
        {
            now += random.NextDouble() * 2;
            switch (random.Next(6))
            {
                case 0:
                    failures++;
                    break;
                case 1 when link.Probe > echoed:
                    echoed = random.NextInt64(echoed, link.Probe + 1); // echoes arrive in order, possibly not all yet
                    break;
            }

            var clientUp = random.Next(4) != 0;
            var action = link.Step(new LinkObservation(TimeSpan.FromSeconds(now), clientUp, Subscribed: true, failures, echoed));
            if (action == LinkAction.Joined)
            {
                Assert.False(connected);
                Assert.True(echoed >= link.Probe && clientUp);
                connected = true;
            }
            else if (action == LinkAction.Lost)
            {
                Assert.True(connected);
                connected = false;
            }

            Assert.Equal(connected, link.Phase == LinkPhase.Connected);
        }
    }

    private static LinkMonitor New() => new(Interval, Timeout, Retry);

    private static LinkMonitor Confirming()
    {
        var link = New();
        Assert.Equal(LinkAction.SendProbe, link.Step(Seen(0)));
        return link;
    }

    private static LinkMonitor Connected(out double at)
    {
        var link = Confirming();
        at = 0.1;
        Assert.Equal(LinkAction.Joined, link.Step(Seen(at, echoed: link.Probe)));
        return link;
    }

    private static LinkObservation Seen(double seconds, bool connected = true, bool subscribed = true, int failures = 0, long echoed = 0) =>
        new(TimeSpan.FromSeconds(seconds), connected, subscribed, failures, echoed);
}
