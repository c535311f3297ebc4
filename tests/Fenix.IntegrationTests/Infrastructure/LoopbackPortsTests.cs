using System.Globalization;
using Fenix.Testing.Network;
using Xunit;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>The ports of servers the tests start as processes: free, distinct, and out of the kernel's reach.</summary>
public sealed class LoopbackPortsTests
{
    [Fact]
    public void Reserved_ports_are_free_distinct_and_below_the_ephemeral_range()
    {
        var ephemeralStart = int.Parse(
            File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0],
            CultureInfo.InvariantCulture);
        Assert.SkipWhen(ephemeralStart < 2_048, "this machine's ephemeral range leaves no room below it");
        var ports = Enumerable.Range(0, 50).Select(_ => LoopbackPorts.Reserve()).ToList();

        Assert.All(ports, port => Assert.InRange(port, 1024, ephemeralStart - 1)); // no bind(0) or outgoing connection gets these
        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.DoesNotContain(25_672, ports); // RabbitMQ's inter-node port
    }
}
