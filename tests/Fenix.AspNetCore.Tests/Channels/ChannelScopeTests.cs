using System.Collections.Concurrent;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.AspNetCore.Tests.Channels;

/// <summary>
/// Each channel instance lives in its own service scope, as a controller lives in its request's: created before the
/// join, disposed after terminate however the channel ends. The host validates scopes, as ASP.NET Core does in
/// Development: a scoped service resolved from the root container would throw.
/// </summary>
public sealed class ChannelScopeTests : IAsyncLifetime
{
    private readonly ResourceLedger _ledger = new();
    private readonly ChannelTestHost _host;

    public ChannelScopeTests()
    {
        _host = new ChannelTestHost(services => services
            .AddSingleton(_ledger)
            .AddScoped<ScopedResource>()
            .AddTransient<TransientResource>())
        {
            AssertTimeout = Patience.Default,
        };
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_scoped_service_is_one_instance_per_channel_shared_by_its_callbacks()
    {
        var ann = _host.Socket<ScopeSocket>();
        var bob = _host.Socket<ScopeSocket>();
        var ids = new[]
        {
            (await ann.JoinOkAsync("scoped:lobby")).Json.GetProperty("id").GetInt32(),
            (await ann.JoinOkAsync("scoped:other")).Json.GetProperty("id").GetInt32(),
            (await bob.JoinOkAsync("scoped:lobby")).Json.GetProperty("id").GetInt32(),
        };

        Assert.Equal(3, ids.Distinct().Count());
        var same = ann.Push("scoped:lobby", "same");
        await ann.AssertReplyAsync(same, "ok", new { same = true });
    }

    [Theory]
    [InlineData("leave")]
    [InlineData("stop")]
    [InlineData("crash")]
    [InlineData("duplicate join")]
    [InlineData("refused join")]
    [InlineData("crashed join")]
    [InlineData("connection loss")]
    public async Task The_scope_is_disposed_when_the_channel_ends_after_its_terminate(string ending)
    {
        var socket = _host.Socket<ScopeSocket>();
        var action = ending switch { "refused join" => "refuse", "crashed join" => "crash", _ => "ok" };
        var reply = await socket.JoinAsync("scoped:room", new { action });
        Assert.Equal(action == "ok", reply.IsOk);
        switch (ending)
        {
            case "leave":
                await socket.LeaveAsync("scoped:room");
                break;
            case "stop":
                socket.Push("scoped:room", "stop");
                await socket.AssertPushAsync(PhoenixEvents.Close);
                break;
            case "crash":
                socket.Push("scoped:room", "boom");
                await socket.AssertPushAsync(PhoenixEvents.Error);
                Assert.NotEmpty(_host.TakeErrors());
                break;
            case "duplicate join":
                await socket.JoinOkAsync("scoped:room");
                await socket.AssertPushAsync(PhoenixEvents.Close);
                break;
            case "crashed join":
                Assert.NotEmpty(_host.TakeErrors());
                break;
            case "connection loss":
                await socket.CloseAsync();
                break;
        }

        var expectedLive = ending == "duplicate join" ? 2 : 0; // the replacing join's scoped and transient services live on
        await _ledger.WaitForLiveAsync(expectedLive);
        Assert.DoesNotContain(_ledger.Events, e => e.Contains("disposed before terminate", StringComparison.Ordinal));
        if (ending is "leave" or "stop" or "crash" or "connection loss")
        {
            Assert.Contains(_ledger.Events, e => e.StartsWith("terminate", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Ten_thousand_join_leave_cycles_leave_nothing_behind_in_the_root_container()
    {
        var socket = _host.Socket<ScopeSocket>();
        for (var i = 0; i < 10_000; i++)
        {
            await socket.JoinOkAsync("scoped:cycle");
            await socket.LeaveAsync("scoped:cycle");
            await socket.AssertPushAsync(PhoenixEvents.Close); // taken, so that assertions do not scan a growing backlog
        }

        // Disposable transients resolved from the root would stay referenced by it until the application stops;
        // resolved from each channel's scope they are disposed with it.
        await _ledger.WaitForLiveAsync(0);
        Assert.Equal(20_000, _ledger.Created);
    }

    /// <summary>Counts the resources alive; a resource that is never disposed stays counted.</summary>
    public sealed class ResourceLedger
    {
        private int _live;
        private int _created;

        public ConcurrentQueue<string> Events { get; } = new();

        public int Created => Volatile.Read(ref _created);

        public int Live => Volatile.Read(ref _live);

        public void Born()
        {
            Interlocked.Increment(ref _live);
            Interlocked.Increment(ref _created);
        }

        public void Died() => Interlocked.Decrement(ref _live);

        public async Task WaitForLiveAsync(int expected)
        {
            var deadline = DateTime.UtcNow + Patience.Default;
            while (Live != expected)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{Live} resources alive, expected {expected}");
                await Task.Delay(10);
            }
        }
    }

    public sealed class ScopedResource : IAsyncDisposable
    {
        private static int s_nextId;
        private readonly ResourceLedger _ledger;

        public ScopedResource(ResourceLedger ledger)
        {
            _ledger = ledger;
            ledger.Born();
        }

        public int Id { get; } = Interlocked.Increment(ref s_nextId);

        public bool IsDisposed { get; private set; }

        public ValueTask DisposeAsync()
        {
            IsDisposed = true;
            _ledger.Died();
            return ValueTask.CompletedTask;
        }
    }

    public sealed class TransientResource : IDisposable
    {
        private readonly ResourceLedger _ledger;

        public TransientResource(ResourceLedger ledger)
        {
            _ledger = ledger;
            ledger.Born();
        }

        public void Dispose() => _ledger.Died();
    }

    public sealed class ScopeSocket : FenixSocket
    {
        public ScopeSocket() => Channel<ScopedChannel>("scoped:*");
    }

    public sealed class ScopedChannel(ScopedResource scoped, TransientResource transient, ResourceLedger ledger) : Channel
    {
        public override ValueTask<JoinResult> JoinAsync(Payload payload)
        {
            GC.KeepAlive(transient);
            payload.TryGetString("action", out var action);
            return action switch
            {
                "refuse" => JoinResult.Error(new { reason = "refused" }),
                "crash" => throw new InvalidOperationException("join crashed"),
                _ => JoinResult.Ok(new { id = scoped.Id }),
            };
        }

        public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload) => @event switch
        {
            "same" => HandleInResult.Ok(new { same = ReferenceEquals(Socket.Services.GetRequiredService<ScopedResource>(), scoped) }),
            "stop" => HandleInResult.Stop(TerminateReason.Shutdown),
            "boom" => throw new InvalidOperationException("boom"),
            _ => HandleInResult.NoReply,
        };

        public override ValueTask TerminateAsync(TerminateReason reason)
        {
            ledger.Events.Enqueue(scoped.IsDisposed ? "disposed before terminate" : $"terminate {reason.Name}");
            return ValueTask.CompletedTask;
        }
    }
}
