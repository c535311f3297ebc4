using System.Collections.Concurrent;

namespace Fenix.Client.Tests.Integration;

/// <summary>Shared with the server's channels: what they saw, for assertions.</summary>
internal sealed class ServerProbe
{
    private int _joins;

    /// <summary>Join attempts that reached a channel.</summary>
    public int Joins => Volatile.Read(ref _joins);

    /// <summary>Payloads of <c>echo</c> pushes in arrival order.</summary>
    public ConcurrentQueue<string> Echoes { get; } = new();

    public void Joined() => Interlocked.Increment(ref _joins);
}
