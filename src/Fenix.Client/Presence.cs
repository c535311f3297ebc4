using System.Text.Json.Nodes;
using Fenix.Client.Diagnostics;

namespace Fenix.Client;

/// <summary>
/// Tracks the presences of a channel's topic, mirroring phoenix.js's Presence: a <c>presence_state</c> replaces the
/// state (reporting joins and leaves against the previous one), <c>presence_diff</c>s update it. Diffs that arrive
/// before the state for the channel's current join (first join or any rejoin) wait and are applied after it.
/// </summary>
/// <remarks>Events are raised on the socket's dispatch loop; <see cref="List()"/> may be called from any thread.</remarks>
public sealed class Presence
{
    private readonly Channel _channel;

    /// <summary>Diffs received while waiting for the state of the current join; loop-owned.</summary>
    private readonly List<PresenceDiff> _pendingDiffs = [];

    /// <summary>The published state; replaced (never mutated once published) so readers need no lock.</summary>
    private volatile PresenceState _state = new();

    /// <summary>The join ref of the channel when the last state arrived; loop-owned.</summary>
    private string? _joinRef;

    public Presence(Channel channel, string stateEvent = PhoenixEvents.PresenceState, string diffEvent = PhoenixEvents.PresenceDiff)
    {
        _channel = channel;
        channel.On(stateEvent, message => OnState(message.Payload));
        channel.On(diffEvent, message => OnDiff(message.Payload));
    }

    /// <summary>A key joined or gained metas (phoenix.js <c>onJoin</c>).</summary>
    public event PresenceJoinHandler? Joined;

    /// <summary>A key lost metas; when none remain it is gone (phoenix.js <c>onLeave</c>).</summary>
    public event PresenceLeaveHandler? Left;

    /// <summary>A state or diff was applied (phoenix.js <c>onSync</c>).</summary>
    public event Action? Synced;

    /// <summary>A copy of the current state.</summary>
    public PresenceState State => _state.Clone();

    /// <summary>True until a state for the channel's current join arrived; diffs are held back meanwhile.</summary>
    public bool IsPendingSync => _joinRef is null || _joinRef != _channel.JoinRef;

    /// <summary>The presence objects (<c>{"metas": [...], ...}</c>) in key order.</summary>
    public IReadOnlyList<JsonObject> List() => List((_, presence) => presence);

    /// <summary>Maps every presence, e.g. <c>List((key, p) => (key, PresenceState.MetasOf(p).Count))</c>.</summary>
    public IReadOnlyList<T> List<T>(Func<string, JsonObject, T> chooser) => PresenceSync.List(_state.Clone(), chooser);

    private void OnState(Payload payload)
    {
        _joinRef = _channel.JoinRef;
        var state = PresenceSync.SyncState(_state, PresenceState.Parse(payload), OnJoin, OnLeave);
        foreach (var diff in _pendingDiffs)
        {
            state = PresenceSync.SyncDiff(state, diff, OnJoin, OnLeave);
        }

        _pendingDiffs.Clear();
        _state = state;
        RaiseSynced();
    }

    private void OnDiff(Payload payload)
    {
        var diff = PresenceDiff.Parse(payload);
        if (IsPendingSync)
        {
            _pendingDiffs.Add(diff);
            return;
        }

        _state = PresenceSync.SyncDiff(_state.Clone(), diff, OnJoin, OnLeave);
        RaiseSynced();
    }

    private void OnJoin(string key, JsonObject? current, JsonObject joined)
    {
        try
        {
            Joined?.Invoke(key, current, joined);
        }
        catch (Exception e)
        {
            _channel.Socket.Log.HandlerFailed(e);
        }
    }

    private void OnLeave(string key, JsonObject current, JsonObject left)
    {
        try
        {
            Left?.Invoke(key, current, left);
        }
        catch (Exception e)
        {
            _channel.Socket.Log.HandlerFailed(e);
        }
    }

    private void RaiseSynced()
    {
        try
        {
            Synced?.Invoke();
        }
        catch (Exception e)
        {
            _channel.Socket.Log.HandlerFailed(e);
        }
    }
}
