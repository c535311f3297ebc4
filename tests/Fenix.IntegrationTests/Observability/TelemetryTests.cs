using System.Diagnostics;
using System.Diagnostics.Metrics;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit;

namespace Fenix.IntegrationTests.Observability;

/// <summary>
/// Fenix's spans and instruments as OpenTelemetry collects them through <c>AddFenixInstrumentation()</c> (in-memory
/// exporters), on a real Kestrel server driven by raw WebSocket clients. Activity listeners are process-wide, so each
/// test finds its own spans by a topic nobody else uses.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private const string ClientTraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string ClientSpanId = "b7ad6b7169203331";

    private readonly LockedList<Activity> _spans = new();
    private readonly LockedList<Metric> _metrics = new();
    private WebApplication _app = null!;
    private Uri _server = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<TerminationLog>();
        builder.Services.AddFenix();
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddFenixInstrumentation().AddInMemoryExporter(_spans))
            .WithMetrics(metrics => metrics.AddFenixInstrumentation().AddInMemoryExporter(
                _metrics,
                reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = Timeout.Infinite)); // only the test's ForceFlush collects
        _app = builder.Build();
        _app.MapFenixSocket<FixtureSocket>("/ws");
        await _app.StartAsync();
        _server = new Uri(_app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Connect_continues_the_trace_context_the_client_sent_as_connect_params()
    {
        var user = Unique("ann");
        await using var client = await PhoenixTestClient.ConnectAsync(
            _server, "/ws", "2.0.0", $"user_id={user}&traceparent=00-{ClientTraceId}-{ClientSpanId}-01&tracestate=vendor%3Dvalue");

        var connect = await SpanAsync(s => s.DisplayName == "FixtureSocket connect" && Equals(s.GetTagItem("fenix.socket.id"), $"user_sockets:{user}"));
        Assert.Equal(ClientTraceId, connect.TraceId.ToHexString());
        Assert.Equal(ClientSpanId, connect.ParentSpanId.ToHexString());
        Assert.Equal("vendor=value", connect.TraceStateString);
        Assert.Equal(ActivityKind.Server, connect.Kind);
        Assert.Equal("accepted", connect.GetTagItem("fenix.connect.result"));
        Assert.Equal("websocket", connect.GetTagItem("fenix.transport"));
        Assert.Equal("/ws/websocket", connect.GetTagItem("url.path"));
    }

    [Fact]
    public async Task Connect_continues_a_traceparent_header_when_the_client_can_send_headers()
    {
        var user = Unique("bob");
        await using var client = await PhoenixTestClient.ConnectAsync(
            _server, "/ws", "2.0.0", $"user_id={user}", new Dictionary<string, string> { ["traceparent"] = $"00-{ClientTraceId}-{ClientSpanId}-01" });

        var connect = await SpanAsync(s => Equals(s.GetTagItem("fenix.socket.id"), $"user_sockets:{user}"));
        Assert.Equal(ClientTraceId, connect.TraceId.ToHexString());
    }

    [Fact]
    public async Task A_refused_connect_is_a_span_with_its_status()
    {
        var before = _spans.Count;
        await using var socket = await RawWebSocket.ConnectAsync(_server, $"/ws/websocket?vsn=2.0.0&ratelimit=true&traceparent=00-{ClientTraceId}-{ClientSpanId}-01");
        Assert.Equal(429, socket.Handshake.Status);

        var connect = await SpanAsync(s => s.DisplayName == "FixtureSocket connect" && Equals(s.GetTagItem("http.response.status_code"), 429), before);
        Assert.Equal("refused", connect.GetTagItem("fenix.connect.result"));
    }

    [Fact]
    public async Task Joins_and_events_are_traces_of_their_own_linked_to_the_connect_span_with_broadcasts_as_events()
    {
        var user = Unique("carol");
        var topic = $"room:{Unique("t")}";
        await using var client = await PhoenixTestClient.ConnectAsync(_server, "/ws", "2.0.0", $"user_id={user}&traceparent=00-{ClientTraceId}-{ClientSpanId}-01");
        var (joinRef, joinMessageRef) = await client.JoinAsync(topic);
        await client.AssertReplyAsync(joinMessageRef);
        var push = await client.SendAsync(topic, "new_msg", new { body = "hi" }, joinRef);
        await client.AssertReplyAsync(push);

        var connect = await SpanAsync(s => Equals(s.GetTagItem("fenix.socket.id"), $"user_sockets:{user}"));
        var join = await SpanAsync(s => Equals(s.GetTagItem("fenix.topic"), topic) && Equals(s.GetTagItem("fenix.event"), "phx_join"));
        Assert.Equal("FixtureRoomChannel join", join.DisplayName);
        Assert.Equal(default, join.ParentSpanId); // a trace of its own: a connection lives for hours
        Assert.NotEqual(connect.TraceId, join.TraceId);
        Assert.Equal(connect.Context.SpanId, Assert.Single(join.Links).Context.SpanId);
        Assert.Equal("ok", join.GetTagItem("fenix.join.result"));
        Assert.Equal("room:*", join.GetTagItem("fenix.topic.pattern"));
        Assert.Equal("FixtureRoomChannel", join.GetTagItem("fenix.channel"));

        var handleIn = await SpanAsync(s => Equals(s.GetTagItem("fenix.topic"), topic) && Equals(s.GetTagItem("fenix.event"), "new_msg"));
        Assert.Equal("FixtureRoomChannel new_msg", handleIn.DisplayName);
        Assert.Equal("ok", handleIn.GetTagItem("fenix.reply.status"));
        Assert.Equal(connect.Context.SpanId, Assert.Single(handleIn.Links).Context.SpanId);
        var broadcast = Assert.Single(handleIn.Events, e => e.Name == "fenix.broadcast");
        Assert.Equal(topic, broadcast.Tags.Single(t => t.Key == "fenix.topic").Value);
        Assert.Equal("new_msg", broadcast.Tags.Single(t => t.Key == "fenix.event").Value);
    }

    [Fact]
    public async Task A_traceparent_in_a_payload_makes_that_message_part_of_the_client_trace()
    {
        var topic = $"room:{Unique("t")}";
        await using var client = await PhoenixTestClient.ConnectAsync(_server, "/ws", "2.0.0", $"user_id={Unique("dan")}");
        var (joinRef, joinMessageRef) = await client.JoinAsync(topic, new { traceparent = $"00-{ClientTraceId}-{ClientSpanId}-01" });
        await client.AssertReplyAsync(joinMessageRef);

        var join = await SpanAsync(s => Equals(s.GetTagItem("fenix.topic"), topic) && Equals(s.GetTagItem("fenix.event"), "phx_join"));
        Assert.Equal(ClientTraceId, join.TraceId.ToHexString());
        Assert.Equal(ClientSpanId, join.ParentSpanId.ToHexString());
    }

    [Fact]
    public async Task A_crashing_callback_marks_its_span_as_an_error_with_the_exception()
    {
        var topic = $"room:{Unique("t")}";
        await using var client = await PhoenixTestClient.ConnectAsync(_server, "/ws", "2.0.0", $"user_id={Unique("eve")}");
        var (joinRef, joinMessageRef) = await client.JoinAsync(topic);
        await client.AssertReplyAsync(joinMessageRef);
        await client.SendAsync(topic, "boom", new { }, joinRef);
        await client.AssertEventAsync("phx_error", topic);

        var boom = await SpanAsync(s => Equals(s.GetTagItem("fenix.topic"), topic) && Equals(s.GetTagItem("fenix.event"), "boom"));
        Assert.Equal(ActivityStatusCode.Error, boom.Status);
        Assert.Equal(typeof(InvalidOperationException).FullName, boom.GetTagItem("error.type"));
        Assert.Contains(boom.Events, e => e.Name == "exception");
    }

    [Fact]
    public void Span_names_use_client_chosen_events_only_when_they_look_like_event_names()
    {
        Assert.Equal("new_msg", Fenix.AspNetCore.Diagnostics.FenixTelemetry.SpanOperation("new_msg"));
        Assert.Equal("handle_in", Fenix.AspNetCore.Diagnostics.FenixTelemetry.SpanOperation("drop table; --"));
        Assert.Equal("handle_in", Fenix.AspNetCore.Diagnostics.FenixTelemetry.SpanOperation(new string('a', 65)));
    }

    [Fact]
    public async Task Durations_and_counters_reach_OpenTelemetry_with_units_and_bounded_tags()
    {
        var topic = $"room:{Unique("t")}";
        await using var client = await PhoenixTestClient.ConnectAsync(_server, "/ws", "2.0.0", $"user_id={Unique("fay")}");
        var (joinRef, joinMessageRef) = await client.JoinAsync(topic);
        await client.AssertReplyAsync(joinMessageRef);
        await client.AssertReplyAsync(await client.SendAsync(topic, "ping", new { x = 1 }, joinRef));
        await client.SendAsync(topic, "silent", new { }, joinRef); // no reply
        await client.AssertReplyAsync(await client.SendAsync(topic, "ping", new { x = 2 }, joinRef)); // the barrier: "silent" was handled

        _app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        var join = Exported("fenix.channel.join.duration", "s");
        Assert.Contains(join, p => Tag(p, "fenix.channel") == "FixtureRoomChannel" && Tag(p, "fenix.join.result") == "ok" && p.GetHistogramCount() >= 1);

        var handleIn = Exported("fenix.channel.handle_in.duration", "s");
        Assert.Contains(handleIn, p => Tag(p, "fenix.reply.status") == "ok" && p.GetHistogramCount() >= 2);
        Assert.Contains(handleIn, p => Tag(p, "fenix.reply.status") == "none" && p.GetHistogramCount() >= 1);

        var connect = Exported("fenix.socket.connect.duration", "s");
        Assert.Contains(connect, p => Tag(p, "fenix.socket") == "FixtureSocket" && Tag(p, "fenix.connect.result") == "accepted");

        var joins = Exported("fenix.channels.joins", "{join}");
        Assert.Contains(joins, p => Tag(p, "fenix.join.result") == "ok" && p.GetSumLong() >= 1);

        // For an observable instrument the last host observed wins in a stream every host feeds, so the stream shows the
        // instrument and its tag, and this host's value is read apart.
        var active = Exported("fenix.connections.active", "{connection}");
        Assert.Contains(active, p => Tag(p, "fenix.transport") == "websocket");
        Assert.True(ObserveThisHost("fenix.connections.active", "websocket") >= 1);
        Assert.NotEmpty(Exported("fenix.messages.in", "{message}"));
    }

    [Fact]
    public async Task A_host_that_stops_and_one_that_starts_before_the_export_leave_this_hosts_measurements_in_it()
    {
        await JoinAsync(_server, times: 3);

        // Test hosts share the process, and OpenTelemetry listens to meters by name: another host's instruments feed this
        // host's streams, and its stop ends them. A host started after that feeds new streams of the same names.
        var stopped = await StartOtherHostAsync();
        await stopped.StopAsync();
        await stopped.DisposeAsync();
        var later = await StartOtherHostAsync();
        try
        {
            await JoinAsync(new Uri(later.Urls.First()), times: 1);

            _app.Services.GetRequiredService<MeterProvider>().ForceFlush();
            Assert.Contains(
                Exported("fenix.channels.joins", "{join}"),
                p => Tag(p, "fenix.channel") == "FixtureRoomChannel" && Tag(p, "fenix.join.result") == "ok" && p.GetSumLong() >= 3);
        }
        finally
        {
            await later.StopAsync();
            await later.DisposeAsync();
        }
    }

    /// <summary>A Fenix server of its own in this process, without OpenTelemetry.</summary>
    private static async Task<WebApplication> StartOtherHostAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<TerminationLog>();
        builder.Services.AddFenix();
        var app = builder.Build();
        app.MapFenixSocket<FixtureSocket>("/ws");
        await app.StartAsync();
        return app;
    }

    private static async Task JoinAsync(Uri server, int times)
    {
        await using var client = await PhoenixTestClient.ConnectAsync(server, "/ws", "2.0.0", $"user_id={Unique("gil")}");
        for (var i = 0; i < times; i++)
        {
            var (_, joinMessageRef) = await client.JoinAsync($"room:{Unique("t")}");
            await client.AssertReplyAsync(joinMessageRef);
        }
    }

    /// <summary>An observable instrument's current value on this host's meter only, by its transport tag.</summary>
    private long ObserveThisHost(string instrumentName, string transport)
    {
        var meterFactory = _app.Services.GetRequiredService<IMeterFactory>();
        long observed = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Name == instrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "fenix.transport" && Equals(tag.Value, transport))
                {
                    observed += value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments(); // the callbacks run on this thread
        return observed;
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private async Task<Activity> SpanAsync(Func<Activity, bool> match, int from = 0)
    {
        var deadline = DateTime.UtcNow + Patience.Default;
        while (DateTime.UtcNow < deadline)
        {
            if (_spans.Snapshot().Skip(from).FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(10); // waiting for a condition: spans are exported when they stop, on the server's threads
        }

        throw new Xunit.Sdk.XunitException($"No matching span; recorded: {string.Join(", ", _spans.Select(s => s.DisplayName))}");
    }

    /// <summary>
    /// The points of every exported stream named <paramref name="name"/>, each checked to have <paramref name="unit"/>.
    /// OpenTelemetry listens to meters by name, so every host in this process feeds the same stream; when another host
    /// stops, its instruments end that stream, the next host to start gets a new one, and this host's instruments go on
    /// writing to the ended stream (exported one last time). This host's points may be in any of them, not only the last.
    /// </summary>
    private List<MetricPoint> Exported(string name, string unit)
    {
        var streams = _metrics.Snapshot().Where(m => m.Name == name).ToList();
        Assert.True(streams.Count > 0, $"No {name} was exported; exported: {string.Join(", ", _metrics.Select(m => m.Name).Distinct())}");
        var points = new List<MetricPoint>();
        foreach (var stream in streams)
        {
            Assert.Equal(unit, stream.Unit);
            foreach (ref readonly var point in stream.GetMetricPoints())
            {
                points.Add(point);
            }
        }

        return points;
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}
