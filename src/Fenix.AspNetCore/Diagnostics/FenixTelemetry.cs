using System.Diagnostics;
using Fenix.AspNetCore.Channels;
using Fenix.AspNetCore.Hosting;
using Fenix.Diagnostics;
using Fenix.Protocol;

namespace Fenix.AspNetCore.Diagnostics;

/// <summary>
/// Spans and durations of the three things a client asks for: connect, join and handle_in. The engine calls
/// <c>…Starting</c> before the user's callback and <c>Stop</c> on the returned operation after it, once, whatever the
/// outcome; nothing here throws or blocks, and with nobody listening an operation is a default struct (no allocation).
/// </summary>
/// <remarks>
/// Trace shape (docs/observability.md): connect continues the client's W3C trace context (the <c>traceparent</c> /
/// <c>tracestate</c> connect params a browser can send, else the request headers). Joins and events are traces of their
/// own linked to the connect span — a connection lives for hours, so nesting them would make one endless trace — unless
/// the client put a <c>traceparent</c> in that message's payload, which then becomes the parent.
/// </remarks>
internal sealed class FenixTelemetry(FenixMetrics metrics, JoinRefusalReporter refusals, TimeProvider time)
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    internal static readonly ActivitySource Source = new(FenixDiagnostics.ActivitySourceName, typeof(FenixTelemetry).Assembly.GetName().Version?.ToString());

    public FenixMetrics Metrics => metrics;

    /// <summary>Adds a <c>fenix.broadcast</c> event to the current span (a handle_in, an HTTP request...), if it is recorded.</summary>
    public static void Broadcasting(string topic, string @event, bool excludeSelf)
    {
        if (Activity.Current is not { IsAllDataRequested: true } current)
        {
            return;
        }

        current.AddEvent(new ActivityEvent("fenix.broadcast", tags: new ActivityTagsCollection
        {
            ["fenix.topic"] = topic,
            ["fenix.event"] = @event,
            ["fenix.broadcast.exclude_self"] = excludeSelf,
        }));
    }

    /// <summary>Before the socket's connect callback.</summary>
    public ConnectOperation ConnectStarting(SocketMount mount, ConnectParams parameters, ConnectInfo info)
    {
        var started = metrics.ConnectDuration.Enabled ? time.GetTimestamp() : 0;
        if (!Source.HasListeners())
        {
            return new ConnectOperation(this, mount.HandlerName, info, null, started);
        }

        // Explicit client context (connect params, which a browser can send) wins; otherwise the request's own activity
        // (ASP.NET Core's, which already continued any traceparent header) is the parent, or the header itself.
        var current = Activity.Current;
        var parent = TryParse(parameters.Get(TraceParent), parameters.Get(TraceState));
        if (parent == default && current is null)
        {
            parent = TryParse(info.TraceContextHeaders.GetValueOrDefault(TraceParent), info.TraceContextHeaders.GetValueOrDefault(TraceState));
        }

        ActivityLink[]? links = parent != default && current is not null ? [new ActivityLink(current.Context)] : null;
        var activity = Source.StartActivity($"{mount.HandlerName} connect", ActivityKind.Server, parent, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("fenix.socket", mount.HandlerName);
            activity.SetTag("fenix.transport", info.Transport);
            activity.SetTag("url.path", info.Uri.AbsolutePath);
        }

        return new ConnectOperation(this, mount.HandlerName, info, activity, activity is null ? started : time.GetTimestamp());
    }

    /// <summary>Before authorization and the channel's JoinAsync.</summary>
    public JoinOperation JoinStarting(ChannelServer server, Payload payload)
    {
        var activity = Source.HasListeners() ? StartChannelActivity(server, "join", payload) : null;
        var measure = activity is not null || metrics.JoinDuration.Enabled;
        return new JoinOperation(this, server.Route.ChannelType.Name, server.Topic, activity, measure ? time.GetTimestamp() : 0);
    }

    /// <summary>Before the channel's HandleInAsync.</summary>
    public HandleInOperation HandleInStarting(ChannelServer server, Message message)
    {
        var activity = Source.HasListeners() ? StartChannelActivity(server, message.Event, message.Payload) : null;
        var measure = activity is not null || metrics.HandleInDuration.Enabled;
        return new HandleInOperation(this, server.Route.ChannelType.Name, activity, measure ? time.GetTimestamp() : 0);
    }

    /// <summary>A join refused before any channel ran (no route, too many channels): counted and summarised in the log.</summary>
    public void JoinRefusedEarly(string result, string topic)
    {
        metrics.Joins.Add(1, new KeyValuePair<string, object?>(FenixMetrics.JoinResultTag, result));
        refusals.Refused(result, topic);
    }

    internal void ConnectStopped(string socket, ConnectInfo info, Activity? activity, long started, bool accepted, int statusCode, string? socketId, Exception? error)
    {
        var result = error is not null ? "crashed" : accepted ? "accepted" : "refused";
        if (started != 0)
        {
            metrics.ConnectDuration.Record(
                time.GetElapsedTime(started).TotalSeconds,
                new(FenixMetrics.SocketTag, socket),
                new(FenixMetrics.TransportTag, info.Transport),
                new(FenixMetrics.ConnectResultTag, result));
        }

        if (activity is null)
        {
            return;
        }

        info.TraceContext = activity.Context;
        if (accepted && socketId is not null)
        {
            activity.SetTag("fenix.socket.id", socketId);
        }
        else if (!accepted)
        {
            activity.SetTag("http.response.status_code", statusCode);
        }

        Finish(activity, FenixMetrics.ConnectResultTag, result, failed: error is not null, error);
    }

    internal void JoinStopped(string channel, string topic, Activity? activity, long started, string result, Exception? error)
    {
        var channelTag = new KeyValuePair<string, object?>(FenixMetrics.ChannelTag, channel);
        var resultTag = new KeyValuePair<string, object?>(FenixMetrics.JoinResultTag, result);
        metrics.Joins.Add(1, channelTag, resultTag);
        refusals.Refused(result, topic);
        if (started != 0)
        {
            var elapsed = time.GetElapsedTime(started).TotalSeconds;
            if (error is null)
            {
                metrics.JoinDuration.Record(elapsed, channelTag, resultTag);
            }
            else
            {
                metrics.JoinDuration.Record(elapsed, channelTag, resultTag, new(FenixMetrics.ErrorTypeTag, error.GetType().FullName));
            }
        }

        Finish(activity, "fenix.join.result", result, failed: result is not ("ok" or "error" or "unauthorized"), error);
    }

    internal void HandleInStopped(string channel, Activity? activity, long started, string? replyStatus, Exception? error)
    {
        var status = replyStatus switch
        {
            null => "none",
            ReplyStatus.Ok or ReplyStatus.Error => replyStatus,
            _ => "other",
        };
        if (started != 0)
        {
            var elapsed = time.GetElapsedTime(started).TotalSeconds;
            var channelTag = new KeyValuePair<string, object?>(FenixMetrics.ChannelTag, channel);
            var statusTag = new KeyValuePair<string, object?>(FenixMetrics.ReplyStatusTag, status);
            if (error is null)
            {
                metrics.HandleInDuration.Record(elapsed, channelTag, statusTag);
            }
            else
            {
                metrics.HandleInDuration.Record(elapsed, channelTag, statusTag, new(FenixMetrics.ErrorTypeTag, error.GetType().FullName));
            }
        }

        Finish(activity, "fenix.reply.status", replyStatus ?? "none", failed: error is not null, error);
    }

    internal static void Finish(Activity? activity, string resultTag, string result, bool failed, Exception? error)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(resultTag, result);
        if (error is not null)
        {
            activity.SetTag(FenixMetrics.ErrorTypeTag, error.GetType().FullName);
            activity.AddException(error);
        }

        if (failed)
        {
            activity.SetStatus(ActivityStatusCode.Error, error?.Message ?? result);
        }

        activity.Stop();
    }

    /// <summary>A span name from a client-chosen event only when it looks like one (bounded, no spaces): span names must stay low-cardinality.</summary>
    internal static string SpanOperation(string @event) =>
        @event.Length <= 64 && @event.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or ':' or '.') ? @event : "handle_in";

    private static Activity? StartChannelActivity(ChannelServer server, string operation, Payload payload)
    {
        // A join or an event is a trace of its own (see remarks), unless its payload names a parent.
        var previous = Activity.Current;
        Activity.Current = null;
        var parent = payload.IsJsonObject && payload.Bytes.Span.IndexOf("\"traceparent\""u8) >= 0 && payload.TryGetString(TraceParent, out var traceParent)
            ? TryParse(traceParent, payload.TryGetString(TraceState, out var traceState) ? traceState : null)
            : default;
        var connect = server.Session.ConnectInfo.TraceContext;
        ActivityLink[]? links = connect != default ? [new ActivityLink(connect)] : null;
        var route = server.Route;
        var activity = Source.StartActivity($"{route.ChannelType.Name} {SpanOperation(operation)}", ActivityKind.Server, parent, links: links);
        if (activity is null)
        {
            Activity.Current = previous;
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("fenix.channel", route.ChannelType.Name);
            activity.SetTag("fenix.topic", server.Topic);
            activity.SetTag("fenix.topic.pattern", route.Pattern);
            activity.SetTag("fenix.event", operation == "join" ? PhoenixEvents.Join : operation);
            activity.SetTag("fenix.socket", server.Session.Mount.HandlerName);
            activity.SetTag("fenix.transport", server.Session.Transport.Name);
            if (server.Session.SocketId is { } socketId)
            {
                activity.SetTag("fenix.socket.id", socketId);
            }
        }

        return activity;
    }

    private static ActivityContext TryParse(string? traceParent, string? traceState) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
}

/// <summary>A connect in progress; <see cref="Stop"/> once, after the connect callback.</summary>
internal readonly struct ConnectOperation(FenixTelemetry? telemetry, string socket, ConnectInfo? info, Activity? activity, long started)
{
    public void Stop(bool accepted, int statusCode, string? socketId, Exception? error = null) =>
        telemetry?.ConnectStopped(socket, info!, activity, started, accepted, statusCode, socketId, error);
}

/// <summary>A join in progress; <see cref="Stop"/> once, with the result the join's metrics count.</summary>
internal readonly struct JoinOperation(FenixTelemetry? telemetry, string channel, string topic, Activity? activity, long started)
{
    /// <param name="result">ok, error (refused by the channel), unauthorized, crashed, too_many.</param>
    public void Stop(string result, Exception? error = null) => telemetry?.JoinStopped(channel, topic, activity, started, result, error);
}

/// <summary>A client event in progress; <see cref="Stop"/> once, after the reply (or the crash).</summary>
internal readonly struct HandleInOperation(FenixTelemetry? telemetry, string channel, Activity? activity, long started)
{
    /// <param name="replyStatus">The reply's status, or null when the callback did not reply.</param>
    public void Stop(string? replyStatus, Exception? error = null) => telemetry?.HandleInStopped(channel, activity, started, replyStatus, error);
}
