using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.History;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Fenix.AspNetCore.Channels;

/// <summary>The channel server's life: the mailbox loop's handling of each message, and every move of its phase.</summary>
internal sealed partial class ChannelServer
{
    protected override async ValueTask HandleAsync(ChannelMail mail)
    {
        try
        {
            switch (mail.Kind)
            {
                case ChannelMailKind.Join:
                    await JoinAsync(mail.Message!);
                    break;
                case ChannelMailKind.Replace:
                    HandleReplace((ChannelServer)mail.Info!);
                    break;
                default:
                    await HandleAfterJoinAsync(mail);
                    break;
            }
        }
        catch (Exception e)
        {
            // Only Fenix's own code can get here (user callbacks are guarded); do not let one channel's bug go silent.
            Log.ChannelCrashed(ChannelName, Topic, e);
            EndFrom(ChannelLifecycle.End(ref _phase));
        }
        finally
        {
            if (mail.IsFromClient)
            {
                Session.InboundHandled();
            }

            if (Phase == ChannelPhase.Ended)
            {
                await CleanUpAsync();
            }
        }
    }

    private async ValueTask HandleAfterJoinAsync(ChannelMail mail)
    {
        var phase = Phase;
        if (phase == ChannelPhase.Overflowed)
        {
            Log.MailboxOverflow(ChannelName, Topic, Session.Mount.Options.MaxChannelMailbox);
            await StopAsync(TerminateReason.Error("mailbox_overflow"));
            phase = Phase;
        }

        if (phase == ChannelPhase.Ended)
        {
            AnswerAsUnjoined(mail);
            return;
        }

        switch (mail.Kind)
        {
            case ChannelMailKind.In when IsStale(mail.Message!):
            case ChannelMailKind.Leave when IsStale(mail.Message!):
                Log.StaleMessage(Topic, mail.Message!.Event, mail.Message.JoinRef);
                break;
            case ChannelMailKind.In:
                await HandleInAsync(mail.Message!);
                break;
            case ChannelMailKind.Leave:
                SendReply(mail.Message!.Ref, ReplyStatus.Ok, Payload.Empty);
                await StopAsync(TerminateReason.Left);
                break;
            case ChannelMailKind.Info:
                await RunCallbackAsync(static (channel, mail) => channel.HandleInfoAsync(mail.Info!), mail);
                break;
            case ChannelMailKind.Out:
                await RunCallbackAsync(
                    static (channel, mail) =>
                    {
                        var broadcast = (Broadcast)mail.Info!;
                        return channel.HandleOutAsync(broadcast.Event, broadcast.Payload);
                    },
                    mail);
                break;
            case ChannelMailKind.History:
                await HandleHistoryAsync((BroadcastMessage)mail.Info!);
                break;
            case ChannelMailKind.Shutdown:
                await StopAsync(mail.Reason!);
                break;
        }
    }

    /// <summary>A history message for a channel that intercepts: HandleOut (its pushes carry the position) or its frame.</summary>
    private async ValueTask HandleHistoryAsync(BroadcastMessage message)
    {
        if (!_channel!.Intercepts.Contains(message.Event))
        {
            SendBroadcast(message);
            return;
        }

        ChannelHistory.PushRef.Value = message.PositionRef;
        try
        {
            await RunCallbackAsync(
                static (channel, mail) =>
                {
                    var broadcast = ((BroadcastMessage)mail.Info!).Broadcast;
                    return channel.HandleOutAsync(broadcast.Event, broadcast.Payload);
                },
                new ChannelMail(ChannelMailKind.History, Info: message));
        }
        finally
        {
            ChannelHistory.PushRef.Value = null;
        }
    }

    /// <summary>A join_ref that is neither null nor this join's: the client raced a close or rejoin (protocol.md §3.1 K).</summary>
    private bool IsStale(Message message) => message.JoinRef is not null && message.JoinRef != WireJoinRef;

    private async ValueTask JoinAsync(Message join)
    {
        var closePredecessor = await SettlePredecessorAsync();
        var admission = await _admission;
        if (admission == Admission.Cancelled || Session.IsTerminated)
        {
            EndFrom(ChannelLifecycle.End(ref _phase)); // the connection ended before the join ran: no callback, nobody to answer
            return;
        }

        var telemetry = Session.Runtime.Telemetry.JoinStarting(this, join.Payload);
        if (admission == Admission.Refused)
        {
            Log.TooManyChannels(Topic, Session.Mount.Options.MaxChannels);
            telemetry.Stop("too_many");
            RefuseJoin(join, ReplyPayloads.TooManyChannels, closePredecessor, resolved: false);
            return;
        }

        if (!ChannelLifecycle.TryMove(ref _phase, ChannelPhase.Waiting, ChannelPhase.Joining))
        {
            telemetry.Stop("replaced");
            Session.JoinResolved(this, joined: false); // abandoned while it waited
            return;
        }

        _scope = Session.Runtime.ScopeFactory.CreateAsyncScope();
        if (!await AuthorizeAsync())
        {
            telemetry.Stop("unauthorized");
            RefuseJoin(join, ReplyPayloads.Unauthorized, closePredecessor, resolved: true);
            return;
        }

        JoinResult result;
        Payload response;
        try
        {
            _channel = _route.Create(Services);
            _channel.Attach(this);
            result = await _channel.JoinAsync(join.Payload);
            response = result.Response is null ? Payload.Empty : Payload.From(result.Response, JsonOptions);
        }
        catch (Exception e)
        {
            Log.JoinCrashed(Topic, ChannelName, e);
            telemetry.Stop("crashed", e);
            RefuseJoin(join, ReplyPayloads.JoinCrashed, closePredecessor, resolved: true);
            return;
        }

        if (!result.IsOk)
        {
            Log.JoinRefused(Topic, ChannelName);
            telemetry.Stop("error");
            RefuseJoin(join, response, closePredecessor, resolved: true);
            return;
        }

        telemetry.Stop("ok");
        Session.JoinResolved(this, joined: true);
        Payload? history = null;
        if (_history is not null)
        {
            history = await _history.RecoverAsync(join.Payload); // attaches to the topic's feed first: live messages wait behind the replay
        }
        else
        {
            Session.Runtime.PubSub.Subscribe(Topic, this);
        }

        var reply = new Reply(join.JoinRef, join.Ref, Topic, ReplyStatus.Ok, response) { History = history };
        if (OpenGate(Session.Serializer.EncodeReply(reply), closePredecessor))
        {
            _history?.Replay();
            Log.Joined(Topic, ChannelName);
        }
    }

    /// <summary>
    /// Waits until the instance this join replaces handled everything it was sent before (its answers come first, as if
    /// the client had waited) and was killed. A predecessor that has not got there after <see cref="ReplaceGrace"/> (stuck
    /// in a callback) is abandoned by the timer. Returns the predecessor if it was still joined: it gets its phx_close
    /// right after this join's reply.
    /// </summary>
    private async ValueTask<ChannelServer?> SettlePredecessorAsync()
    {
        if (_predecessor is not { } predecessor)
        {
            return null;
        }

        _predecessor = null;
        bool wasJoined;
        using (Session.Runtime.Time.CreateTimer(
            static state =>
            {
                var (predecessor, successor) = ((ChannelServer, ChannelServer))state!;
                predecessor.Abandon(successor);
            },
            (predecessor, this),
            ReplaceGrace,
            Timeout.InfiniteTimeSpan))
        {
            wasJoined = await _predecessorDone!.Task;
        }

        return wasJoined ? predecessor : null;
    }

    /// <summary>The replacement reached this instance: it ends without terminate (it is killed, protocol.md §3.1 I).</summary>
    private void HandleReplace(ChannelServer successor)
    {
        var phase = Phase;
        var killed = phase is ChannelPhase.Joined or ChannelPhase.Overflowed && ChannelLifecycle.TryMove(ref _phase, phase, ChannelPhase.Ended);
        if (killed)
        {
            EndFrom(phase);
        }
        else if (phase != ChannelPhase.Ended)
        {
            EndFrom(ChannelLifecycle.End(ref _phase));
        }

        successor._predecessorDone!.TrySetResult(killed);
    }

    /// <summary>
    /// The grace timer of a replacing join (any thread): this instance did not reach its replacement in time. It ends now,
    /// whatever its loop is doing, the client frames still queued for it are answered now (the successor's reply follows
    /// them), and the successor goes on. Whichever of this and <see cref="HandleReplace"/> comes first tells the successor
    /// whether the instance was still joined; at the very edge of the grace period a stale phx_close may be skipped.
    /// </summary>
    private void Abandon(ChannelServer successor)
    {
        var from = ChannelLifecycle.End(ref _phase);
        if (from != ChannelPhase.Ended)
        {
            Log.ChannelAbandoned(ChannelName, Topic, ReplaceGrace);
            EndFrom(from);
            UnsubscribeAll();
            foreach (var mail in DrainPending())
            {
                if (mail.IsFromClient)
                {
                    AnswerAsUnjoined(mail);
                    Session.InboundHandled();
                }
            }

            Session.TryRetire(this);
        }

        successor._predecessorDone!.TrySetResult(from is ChannelPhase.Joined or ChannelPhase.Overflowed);
    }

    /// <summary>A join that did not succeed: its error reply, then the predecessor's phx_close; pushes it made are dropped.</summary>
    private void RefuseJoin(Message join, Payload response, ChannelServer? closePredecessor, bool resolved)
    {
        lock (this)
        {
            _gated = null; // pushes made by a refused join never reach the client
        }

        if (resolved)
        {
            Session.JoinResolved(this, joined: false);
        }

        Session.SendReply(join.JoinRef, join.Ref, Topic, ReplyStatus.Error, response);
        if (closePredecessor is not null)
        {
            Session.SendClose(closePredecessor.WireJoinRef, Topic);
        }

        EndFrom(ChannelLifecycle.End(ref _phase));
    }

    private async ValueTask<bool> AuthorizeAsync()
    {
        if (_route.Policies.Count == 0)
        {
            return true;
        }

        var authorization = Services.GetService<IAuthorizationService>();
        var policies = Services.GetService<IAuthorizationPolicyProvider>();
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

        // Recorded before the reply is queued, so whoever sees the reply can already see the measurement.
        telemetry.Stop(response is null ? null : result.Status);
        if (response is not null)
        {
            SendReply(message.Ref, result.Status!, response);
        }

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
        var from = Phase;
        if (from is not (ChannelPhase.Joined or ChannelPhase.Overflowed) || !ChannelLifecycle.TryMove(ref _phase, from, ChannelPhase.Stopping))
        {
            return;
        }

        UnsubscribeAll();
        if (reason.IsNormal)
        {
            Session.SendClose(WireJoinRef, Topic);
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
            Session.SendError(WireJoinRef, Topic);
        }

        if (ChannelLifecycle.TryMove(ref _phase, ChannelPhase.Stopping, ChannelPhase.Ended))
        {
            EndFrom(ChannelPhase.Stopping);
        }
    }

    /// <summary>
    /// The effects of reaching Ended, run once by whoever made the move: metrics, the <see cref="Ended"/> token,
    /// <see cref="Completion"/>, and the session's bookkeeping. Unsubscribing and disposing the scope follow in the loop.
    /// </summary>
    private void EndFrom(ChannelPhase from)
    {
        if (from == ChannelPhase.Ended)
        {
            return;
        }

        if (from is ChannelPhase.Joined or ChannelPhase.Overflowed or ChannelPhase.Stopping)
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

        Session.ChannelEnded(this);
        ended?.Cancel();
        completion?.TrySetResult();
    }

    /// <summary>Run by the loop after each message once the channel ended: nothing stays subscribed, the scope goes, the topic frees up.</summary>
    private async ValueTask CleanUpAsync()
    {
        UnsubscribeAll();
        if (_scope is { } scope)
        {
            _scope = null;
            try
            {
                await scope.DisposeAsync();
            }
            catch (Exception e)
            {
                Log.ScopeDisposeFailed(ChannelName, Topic, e);
            }
        }

        Session.TryRetire(this);
    }

    /// <summary>
    /// A client frame that reached an instance that already ended: answered as for a topic that is not joined (as if
    /// the client had waited for the end before sending it): an event gets "unmatched topic", a leave gets ok.
    /// </summary>
    private void AnswerAsUnjoined(ChannelMail mail)
    {
        if (mail.Kind is ChannelMailKind.In or ChannelMailKind.Leave)
        {
            Session.AnswerUnjoined(mail.Message!);
        }
    }

    private void UnsubscribeAll()
    {
        var pubSub = Session.Runtime.PubSub;
        pubSub.Unsubscribe(Topic, this);
        _history?.Detach();
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
