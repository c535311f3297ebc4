using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fenix.AspNetCore.Transports.LongPoll;

/// <summary>
/// Serves <c>&lt;mount&gt;/longpoll</c> (protocol.md §5): GET opens a session (410 + token) or polls it (200 with
/// frames, 204 after the window), POST sends frames, OPTIONS answers CORS preflights. The logical status is in the
/// JSON body; every JSON answer is HTTP 200 with <c>cache-control: no-store</c>.
/// </summary>
internal static class LongPollEndpoint
{
    public const string SessionTokenHeader = "X-Phoenix-Longpoll-Token";
    public const string AuthTokenHeader = "X-Phoenix-AuthToken";

    public static async Task HandleAsync(HttpContext context, SocketMount mount, FenixRuntime runtime)
    {
        var request = context.Request;
        context.Response.Headers.AccessControlAllowOrigin = "*";
        if (!mount.Options.CheckOrigin.IsAllowed(request))
        {
            runtime.SocketLog.OriginRefused(request.Headers.Origin.ToString());
            await WriteStatusAsync(context, 403);
            return;
        }

        var sessions = runtime.Services.GetRequiredService<LongPollSessionRegistry>();
        if (HttpMethods.IsOptions(request.Method))
        {
            Preflight(context);
        }
        else if (HttpMethods.IsGet(request.Method))
        {
            await PollAsync(context, mount, runtime, sessions);
        }
        else if (HttpMethods.IsPost(request.Method))
        {
            await PublishAsync(context, mount, runtime, sessions);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    private static void Preflight(HttpContext context)
    {
        var response = context.Response;
        response.Headers.AccessControlAllowHeaders = string.Join(", ", context.Request.Headers.AccessControlRequestHeaders.ToArray());
        response.Headers.AccessControlAllowMethods = "get, post, options";
        response.Headers.AccessControlMaxAge = "3600";
        response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>A GET: polls the session the token names — here, or on its node through the forwarder — or opens one.</summary>
    private static async Task PollAsync(HttpContext context, SocketMount mount, FenixRuntime runtime, LongPollSessionRegistry sessions)
    {
        var token = SessionToken(context.Request);
        var address = sessions.Resolve(token);
        IReadOnlyList<byte[]> frames;
        if (FindLocal(address, runtime, sessions) is { } session)
        {
            frames = await session.PollAsync(context.RequestAborted);
        }
        else if (IsRemote(address, runtime, sessions))
        {
            var result = await ForwardAsync(() => sessions.Forwarder.PollAsync(address!.Node, mount.Path, address.Session, mount.Options.LongPoll.Window, context.RequestAborted));
            if (result is null)
            {
                return; // the client went away
            }

            if (result.Status == LongPollForwardMessage.NoSession)
            {
                await OpenAsync(context, mount, runtime, sessions);
                return;
            }

            if (result.Status is not (200 or 204))
            {
                await WriteStatusAsync(context, 500); // the JS client reconnects
                return;
            }

            frames = result.Frames;
        }
        else
        {
            await OpenAsync(context, mount, runtime, sessions);
            return;
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        await WriteJsonAsync(context, writer =>
        {
            writer.WriteNumber("status"u8, frames.Count > 0 ? 200 : 204);
            writer.WriteString("token"u8, token);
            writer.WriteStartArray("messages"u8);
            foreach (var frame in frames)
            {
                writer.WriteStringValue(frame); // each frame travels as a JSON string (UTF-8 in, escaped out)
            }

            writer.WriteEndArray();
        });
    }

    private static async Task OpenAsync(HttpContext context, SocketMount mount, FenixRuntime runtime, LongPollSessionRegistry sessions)
    {
        var parameters = ConnectParams.FromRequest(context.Request);
        var serializer = SerializerNegotiation.Negotiate(parameters.Get("vsn"));
        if (serializer is null)
        {
            runtime.SocketLog.VersionMismatch(parameters.Get("vsn"));
            runtime.Metrics.ConnectionRefused("longpoll", "vsn");
            await WriteStatusAsync(context, 403);
            return;
        }

        var authToken = context.Request.Headers[AuthTokenHeader].ToString();
        var connectInfo = ConnectInfo.FromHttpContext(context, "longpoll", authToken.Length > 0 ? authToken : null);
        var connection = await SocketConnector.ConnectAsync(mount, runtime, parameters, connectInfo);
        if (!connection.Accepted)
        {
            runtime.Metrics.ConnectionRefused("longpoll", "connect_refused");
            await WriteStatusAsync(context, 403);
            return;
        }

        var session = new LongPollSession(LongPollSessionRegistry.NewSessionId(), mount.Path, runtime, mount.Options.LongPoll, sessions.Remove);
        var socket = new SocketSession(runtime, mount, serializer, connection.Assigns, connection.SocketId, connectInfo, session);
        sessions.Add(session);
        session.Attach(socket);
        runtime.SocketLog.Connected("longpoll", mount.HandlerName, connection.SocketId, serializer.Name, connectInfo.PeerAddress?.ToString(), context.Request.Protocol);
        var token = sessions.Issue(session, runtime.PubSub.NodeName, mount.Options.LongPoll.TokenMaxAge);
        await WriteJsonAsync(context, writer =>
        {
            writer.WriteNumber("status"u8, 410);
            writer.WriteString("token"u8, token);
            writer.WriteStartArray("messages"u8);
            writer.WriteEndArray();
        });
    }

    /// <summary>A POST: hands the frames to the session the token names — here, or on its node through the forwarder.</summary>
    private static async Task PublishAsync(HttpContext context, SocketMount mount, FenixRuntime runtime, LongPollSessionRegistry sessions)
    {
        var address = sessions.Resolve(SessionToken(context.Request));
        var session = FindLocal(address, runtime, sessions);
        if (session is null && !IsRemote(address, runtime, sessions))
        {
            await WriteStatusAsync(context, 410);
            return;
        }

        var options = mount.Options.LongPoll;
        var body = await ReadBodyAsync(context.Request.BodyReader, options.MaxRequestBodySize, context.RequestAborted);
        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await WriteStatusAsync(context, 400, "request body too large");
            return;
        }

        int status;
        string? error;
        if (session is not null)
        {
            (status, error) = await session.PublishAsync(body.Value, context.Request.ContentType, context.RequestAborted);
        }
        else
        {
            var result = await ForwardAsync(() => sessions.Forwarder.PublishAsync(
                address!.Node, mount.Path, address.Session, context.Request.ContentType, body.Value.ToArray(), options.Window, context.RequestAborted));
            if (result is null)
            {
                return; // the client went away
            }

            // No result in time means the frames were not all acknowledged within the window: 408, as locally.
            (status, error) = (result.Status == 204 ? 408 : result.Status, result.Error);
        }

        if (status == 400)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        await WriteStatusAsync(context, status, error);
    }

    /// <summary>The live session of this node that <paramref name="address"/> names, if any.</summary>
    private static LongPollSession? FindLocal(LongPollSessionRegistry.SessionAddress? address, FenixRuntime runtime, LongPollSessionRegistry sessions) =>
        address is not null && address.Node == runtime.PubSub.NodeName ? sessions.Find(address.Session) : null;

    /// <summary>The token names a session on another node, and this node can reach other nodes.</summary>
    private static bool IsRemote(LongPollSessionRegistry.SessionAddress? address, FenixRuntime runtime, LongPollSessionRegistry sessions) =>
        address is not null && address.Node != runtime.PubSub.NodeName && sessions.Forwarder.Enabled;

    /// <summary>Runs a forward; null when the client went away meanwhile.</summary>
    private static async Task<LongPollForwardMessage?> ForwardAsync(Func<Task<LongPollForwardMessage>> forward)
    {
        try
        {
            return await forward();
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The session token: the header wins over the <c>token</c> query parameter (last occurrence).</summary>
    private static string? SessionToken(HttpRequest request)
    {
        var header = request.Headers[SessionTokenHeader];
        if (header.Count > 0 && !string.IsNullOrEmpty(header[0]))
        {
            return header[0];
        }

        var query = request.Query["token"];
        return query.Count > 0 ? query[query.Count - 1] : null;
    }

    private static async Task<ReadOnlySequence<byte>?> ReadBodyAsync(PipeReader reader, long limit, CancellationToken aborted)
    {
        while (true)
        {
            var result = await reader.ReadAsync(aborted);
            if (result.Buffer.Length > limit)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                // The sequence stays valid until the next read or the end of the request; copy before dispatching.
                var copy = new ReadOnlySequence<byte>(result.Buffer.ToArray());
                reader.AdvanceTo(result.Buffer.End);
                return copy;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static Task WriteStatusAsync(HttpContext context, int status, string? error = null) =>
        WriteJsonAsync(context, writer =>
        {
            writer.WriteNumber("status"u8, status);
            if (error is not null)
            {
                writer.WriteString("error"u8, error);
            }
        });

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        var response = context.Response;
        if (response.StatusCode == 0)
        {
            response.StatusCode = StatusCodes.Status200OK;
        }

        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = PayloadJson.Options.Encoder }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync();
    }
}
