using System.Net;
using Xunit;

namespace Fenix.IntegrationTests.Observability;

/// <summary>AddFenixHealthChecks on a real two-node cluster: broker link and presence replicas, then one node goes away.</summary>
public sealed class ClusterHealthTests(QuickDownCluster cluster) : IClassFixture<QuickDownCluster>
{
    [Fact]
    public async Task Health_reports_the_broker_link_and_turns_degraded_when_a_presence_replica_goes_down()
    {
        using var http = new HttpClient { BaseAddress = cluster.A.BaseUri };
        var healthy = await EventuallyAsync(http, body => body.StartsWith("Healthy", StringComparison.Ordinal) && body.Contains("All 1 other presence replicas are up", StringComparison.Ordinal));
        Assert.Contains("fenix-pubsub: Healthy", healthy, StringComparison.Ordinal);
        Assert.Contains("RabbitMQ amqp://127.0.0.1:5672/", healthy, StringComparison.Ordinal);

        await cluster.B.StopAsync(); // no graceful permdown: A sees B silent, then down after DownPeriod (2 s)
        var degraded = await EventuallyAsync(http, body => body.StartsWith("Degraded", StringComparison.Ordinal));
        Assert.Contains($"fenix-presence: Degraded: 1 of 1 other presence replicas are down ({cluster.B.Name})", degraded, StringComparison.Ordinal);
        Assert.Contains("fenix-pubsub: Healthy", degraded, StringComparison.Ordinal);
    }

    /// <summary>Polls /health until <paramref name="done"/> holds (presence converges on its own timers), at most 30 s.</summary>
    private static async Task<string> EventuallyAsync(HttpClient http, Func<string, bool> done)
    {
        var last = "";
        for (var attempt = 0; attempt < 150; attempt++)
        {
            using var response = await http.GetAsync("/health");
            last = await response.Content.ReadAsStringAsync();
            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable && done(last))
            {
                return last;
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"/health never reached the expected state; last answer:\n{last}");
    }
}
