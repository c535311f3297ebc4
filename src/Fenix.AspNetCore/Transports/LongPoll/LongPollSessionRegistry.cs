using System.Collections.Concurrent;
using System.Security.Cryptography;
using Fenix.PubSub;
using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Transports.LongPoll;

/// <summary>
/// The long-poll sessions of this node, addressed by signed tokens that name the node and the session; requests for
/// sessions of other nodes go through <see cref="Forwarder"/>.
/// </summary>
internal sealed class LongPollSessionRegistry
{
    private const string TokenSalt = "Fenix.LongPoll.Session";

    private readonly ConcurrentDictionary<string, LongPollSession> _sessions = new(StringComparer.Ordinal);
    private readonly FenixToken _tokens;

    public LongPollSessionRegistry(FenixToken tokens, FenixPubSub pubSub, TimeProvider time, ILoggerFactory loggers)
    {
        _tokens = tokens;
        Forwarder = new LongPollForwarder(pubSub, this, time, loggers.CreateLogger("Fenix.Socket"));
    }

    /// <summary>Reaches sessions held by other nodes of the cluster.</summary>
    public LongPollForwarder Forwarder { get; }

    public int Count => _sessions.Count;

    /// <summary>Live sessions of one socket mount.</summary>
    public int CountFor(string mountPath) => _sessions.Values.Count(s => s.MountPath == mountPath && !s.IsClosed);

    public static string NewSessionId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    /// <summary>Adds a session; from now on other nodes may forward its requests here.</summary>
    public void Add(LongPollSession session)
    {
        Forwarder.EnsureListening();
        _sessions[session.Id] = session;
    }

    public void Remove(LongPollSession session) => _sessions.TryRemove(new KeyValuePair<string, LongPollSession>(session.Id, session));

    /// <summary>A token for <paramref name="session"/>, bound to this node (clients cannot forge or re-point it).</summary>
    public string Issue(LongPollSession session, string nodeName, TimeSpan maxAge) =>
        _tokens.Sign(TokenSalt, new SessionAddress(nodeName, session.Id), maxAge);

    /// <summary>Reads a token: the node and session it names, or null when missing, forged or expired.</summary>
    public SessionAddress? Resolve(string? token)
    {
        var verified = _tokens.Verify<SessionAddress>(TokenSalt, token);
        return verified.IsValid ? verified.Data : null;
    }

    /// <summary>The live local session with <paramref name="id"/>, if any.</summary>
    public LongPollSession? Find(string id) =>
        _sessions.TryGetValue(id, out var session) && !session.IsClosed ? session : null;

    /// <summary>The node and session a token names.</summary>
    internal sealed record SessionAddress(string Node, string Session);
}
