using Fenix.AspNetCore.Diagnostics;
using Fenix.Protocol;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Fenix.AspNetCore.Channels;

/// <summary>The channel server's life: join, events, stop, end.</summary>
internal sealed partial class ChannelServer
{
    private async ValueTask JoinAsync(Message join)
    {
        var metrics = Session.Runtime.Metrics;
        var telemetry = Session.Runtime.Telemetry.JoinStarting(this, join.Payload);
        if (!await AuthorizeAsync())
        {
            telemetry.Stop("unauthorized");
            FailJoin(join, ReplyPayloads.Unauthorized);
            return;
        }

        JoinResult result;
        Payload response;
        try
        {
            _channel = _route.Create(Session.Services);
            _channel.Attach(this);
            result = await _channel.JoinAsync(join.Payload);
            response = result.Response is null ? Payload.Empty : Payload.From(result.Response, JsonOptions);
        }
        catch (Exception e)
        {
            Log.JoinCrashed(Topic, ChannelName, e);
            telemetry.Stop("crashed", e);
            FailJoin(join, ReplyPayloads.JoinCrashed);
            return;
        }

        if (_killed)
        {
            telemetry.Stop("replaced");
            return;
        }

        if (!result.IsOk)
        {
            Log.JoinRefused(Topic, ChannelName);
            telemetry.Stop("error");
            FailJoin(join, response);
            return;
        }

        Volatile.Write(ref _state, StateJoined);
        telemetry.Stop("ok");
        metrics.ChannelJoined(Topic);
        Session.Runtime.PubSub.Subscribe(Topic, this);
        Log.Joined(Topic, ChannelName);
        OpenGate(Session.Serializer.EncodeReply(new Reply(join.JoinRef, join.Ref, Topic, ReplyStatus.Ok, response)));
    }

    private void FailJoin(Message join, Payload response)
    {
        _joinFailed = true;
        Session.JoinFailed(this);
        Session.SendReply(join.JoinRef, join.Ref, Topic, ReplyStatus.Error, response);
        if (_replaced is not null)
        {
            Session.SendClose(_replaced);
            _replaced = null;
        }

        lock (this)
        {
            _gated = null; // pushes made by a refused join never reach the client
        }

        End();
    }

    private async ValueTask<bool> AuthorizeAsync()
    {
        if (_route.Policies.Count == 0)
        {
            return true;
        }

        var authorization = Session.Services.GetService<IAuthorizationService>();
        var policies = Session.Services.GetService<IAuthorizationPolicyProvider>();
        if (authorization is null || policies is null)
        {
            throw new InvalidOperationException(
                $"Channel route '{_route.Pattern}' requires authorization, but authorization is not registered: call builder.Services.AddAuthorization(...).");
        }

        foreach (var name in _route.Policies)
        {
            var policy = name.Length == 0 ? await policies.GetDefaultPolicyAsync() : await policies.GetPolicyAsync(name);
            if (policy is null)
            {
                throw new InvalidOperationException($"The authorization policy '{name}' required by channel route '{_route.Pattern}' is not registered (AddAuthorization).");
            }

            if (!(await authorization.AuthorizeAsync(Socket.User, Socket, policy)).Succeeded)
            {
                Log.JoinUnauthorized(Topic, name.Length == 0 ? "(default)" : name);
                return false;
            }
        }

        return true;
    }

    private async ValueTask HandleInAsync(Message message)
    {
        var telemetry = Session.Runtime.Telemetry.HandleInStarting(this, message);
        Socket.Ref = message.Ref;
        HandleInResult result;
        Payload? response = null;
        try
        {
            result = await _channel!.HandleInAsync(message.Event, message.Payload);
            if (result.Status is not null)
            {
                response = result.Response is null ? Payload.Empty : Payload.From(result.Response, JsonOptions);
            }
        }
        catch (Exception e)
        {
            Socket.Ref = null;
            telemetry.Stop(replyStatus: null, e);
            await CrashAsync(e);
            return;
        }

        Socket.Ref = null;
        if (response is not null)
        {
            SendReply(message.Ref, result.Status!, response);
        }

        telemetry.Stop(response is null ? null : result.Status);
        if (result.StopReason is { } reason)
        {
            await StopAsync(reason);
        }
    }

    private async ValueTask RunCallbackAsync(Func<Channel, ChannelMail, ValueTask> callback, ChannelMail mail)
    {
        try
        {
            await callback(_channel!, mail);
        }
        catch (Exception e)
        {
            await CrashAsync(e);
        }
    }

    private ValueTask CrashAsync(Exception exception)
    {
        Log.ChannelCrashed(ChannelName, Topic, exception);
        Session.Runtime.Metrics.ChannelCrashed(ChannelName);
        return StopAsync(TerminateReason.Crash(exception));
    }

    /// <summary>
    /// Stops from the inside. A normal stop writes phx_close before terminate runs (so terminate's pushes follow it);
    /// an error runs terminate first and then writes phx_error, as Phoenix does.
    /// </summary>
    private async ValueTask StopAsync(TerminateReason reason)
    {
        if (Volatile.Read(ref _state) != StateJoined)
        {
            End();
            return;
        }

        Volatile.Write(ref _state, StateStopping);
        UnsubscribeAll();
        if (reason.IsNormal)
        {
            Session.ChannelClosed(this);
        }
        else if (reason.Exception is null)
        {
            Log.ChannelStoppedWithError(ChannelName, Topic, reason.Name);
        }

        try
        {
            await _channel!.TerminateAsync(reason);
        }
        catch (Exception e)
        {
            Log.TerminateFailed(ChannelName, Topic, e);
        }

        if (!reason.IsNormal)
        {
            Session.ChannelErrored(this);
        }

        End();
    }

    /// <summary>Marks the channel ended (once): releases subscriptions, signals <see cref="Ended"/>, answers what is still queued.</summary>
    private void End()
    {
        if (Interlocked.Exchange(ref _endedFlag, 1) != 0)
        {
            return;
        }

        var wasJoined = Interlocked.Exchange(ref _state, StateEnded) is StateJoined or StateStopping;
        UnsubscribeAll();
        if (wasJoined)
        {
            Session.Runtime.Metrics.ChannelEnded(Topic);
        }

        CancellationTokenSource? ended;
        TaskCompletionSource? completion;
        lock (this)
        {
            ended = _ended;
            completion = _completion;
        }

        ended?.Cancel();
        completion?.TrySetResult();
        foreach (var mail in DrainPending())
        {
            HandleAfterEnd(mail);
        }
    }

    /// <summary>
    /// Client messages that reached a server which already ended: after a failed join they get the answers of an
    /// unjoined topic (as if the join had been synchronous); after a stop they are dropped, as Phoenix drops them.
    /// </summary>
    private void HandleAfterEnd(ChannelMail mail)
    {
        if (mail.Kind == ChannelMailKind.In)
        {
            Session.InboundHandled();
            if (_joinFailed)
            {
                Session.SendReply(null, mail.Message!.Ref, Topic, ReplyStatus.Error, ReplyPayloads.UnmatchedTopic);
            }
        }
        else if (mail.Kind == ChannelMailKind.Leave && _joinFailed)
        {
            Session.SendReply(mail.Message!.JoinRef, mail.Message.Ref, Topic, ReplyStatus.Ok, Payload.Empty);
        }
    }

    private void UnsubscribeAll()
    {
        var pubSub = Session.Runtime.PubSub;
        pubSub.Unsubscribe(Topic, this);
        List<string>? extra;
        lock (this)
        {
            extra = _extraTopics;
            _extraTopics = null;
        }

        foreach (var topic in extra ?? [])
        {
            pubSub.Unsubscribe(topic, this);
        }
    }
}
