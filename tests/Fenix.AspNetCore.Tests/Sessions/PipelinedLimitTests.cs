using Fenix.Testing;
using Fenix.Tests.Model;
using Xunit;

namespace Fenix.AspNetCore.Tests.Sessions;

/// <summary>Joins sent back to back at the channel limit get the answers they would get one at a time.</summary>
public sealed class PipelinedLimitTests : IAsyncLifetime
{
    private readonly ChannelTestHost _host = new() { AssertTimeout = Patience.Default };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Refused_joins_in_progress_do_not_take_the_slots_of_later_joins_and_a_later_leave_frees_one_in_its_turn(int attempt)
    {
        _ = attempt; // the same race, run again: threads interleave differently each time
        _host.ConfigureMount<ModelSocket>(options => options.MaxChannels = 2);
        var socket = _host.Socket<ModelSocket>();
        string Join(string topic, string outcome) => socket.PushWithJoinRef(topic, "phx_join", $"j-{topic}", new { outcome });

        var refused = Enumerable.Range(0, 5).Select(i => Join($"model:refused-{i}", "refuse")).ToList();
        var a = Join("model:a", "ok");
        var b = Join("model:b", "ok");
        var c = Join("model:c", "ok");
        var leave = socket.PushWithJoinRef("model:a", "phx_leave", "j-model:a");
        var d = Join("model:d", "ok");

        foreach (var @ref in refused)
        {
            await socket.AssertReplyAsync(@ref, "error", new { reason = "refused" });
        }

        await socket.AssertReplyAsync(a, "ok");
        await socket.AssertReplyAsync(b, "ok");
        await socket.AssertReplyAsync(c, "error", new { reason = "too many channels joined" });
        await socket.AssertReplyAsync(leave, "ok");
        await socket.AssertReplyAsync(d, "ok");
    }
}
