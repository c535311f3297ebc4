using Fenix.Presence;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Fenix.AspNetCore.Tests.Presence;

/// <summary>How AddPresence wires options, the fetch hook and the host.</summary>
public sealed class PresenceRegistrationTests
{
    private const string Topic = "presence:lobby";

    [Fact]
    public async Task A_fetcher_registered_with_add_presence_enriches_presence_state_and_diffs()
    {
        await using var host = new ChannelTestHost(services => services.AddFenix().AddPresence<NameFetcher>()) { AssertTimeout = Patience.Default };
        var ann = host.Socket<PresenceTestSocket>();
        await ann.JoinOkAsync(Topic, new { user = "ann" });

        var state = await ann.AssertPushAsync(PhoenixEvents.PresenceState);
        var diff = await ann.AssertPushAsync(PhoenixEvents.PresenceDiff);

        Assert.Equal("ANN", state.Payload.Json.GetProperty("ann").GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("ANN", diff.Payload.Json.GetProperty("joins").GetProperty("ann").GetProperty("user").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Options_reach_the_tracker_and_a_coalesced_topic_holds_its_diffs_for_the_window()
    {
        await using var host = new ChannelTestHost(services => services.AddFenix().AddPresence(options =>
        {
            options.PoolSize = 3;
            options.CoalesceDiffs("presence:*", TimeSpan.FromHours(1));
        }))
        {
            AssertTimeout = Patience.Default,
        };
        var tracker = host.Services.GetRequiredService<PresenceTracker>();
        var ann = host.Socket<PresenceTestSocket>();
        await ann.JoinOkAsync(Topic, new { user = "ann" });

        await ann.AssertPushAsync(PhoenixEvents.PresenceState);
        await ann.RefutePushAsync(PhoenixEvents.PresenceDiff);
        Assert.Equal(3, tracker.Shards.Count);
    }

    [Fact]
    public async Task The_hosted_service_starts_the_tracker_with_the_host_and_stops_it()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFenix().AddPresence(options => options.PermdownOnShutdown = true);
        using var app = builder.Build();

        await app.StartAsync(TestContext.Current.CancellationToken);
        var tracker = app.Services.GetRequiredService<PresenceTracker>();
        await tracker.TrackAsync("t", "k", new { });
        await app.StopAsync(TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => tracker.ListAsync("t"));
    }

    [Fact]
    public void Adding_presence_twice_keeps_one_tracker()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFenix().AddPresence();
        services.AddFenix().AddPresence(o => o.MaxMetaBytes = 100);

        Assert.Single(services, d => d.ServiceType == typeof(PresenceTracker));
    }
}
