using System.Collections.Concurrent;
using System.Security.Cryptography;
using Fenix.AspNetCore.Tokens;

namespace Fenix.AspNetCore.Transports.LongPoll;

/// <summary>The long-poll sessions of this node, addressed by signed tokens that name the node and the session.</summary>
internal sealed class LongPollSessionRegistry(FenixToken tokens)
{
    private const string TokenSalt = "Fenix.LongPoll.Session";

    private readonly ConcurrentDictionary<string, LongPollSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    /// <summary>Live sessions of one socket mount.</summary>
    public int CountFor(string mountPath) => _sessions.Values.Count(s => s.MountPath == mountPath && !s.IsClosed);

    public static string NewSessionId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    public void Add(LongPollSession session) => _sessions[session.Id] = session;

    public void Remove(LongPollSession session) => _sessions.TryRemove(new KeyValuePair<string, LongPollSession>(session.Id, session));

    /// <summary>A token for <paramref name="session"/>, bound to this node (clients cannot forge or re-point it).</summary>
    public string Issue(LongPollSession session, string nodeName, TimeSpan maxAge) =>
        tokens.Sign(TokenSalt, new SessionAddress(nodeName, session.Id), maxAge);

    /// <summary>Reads a token: the node and session it names, or null when missing, forged or expired.</summary>
    public SessionAddress? Resolve(string? token)
    {
        var verified = tokens.Verify<SessionAddress>(TokenSalt, token);
        return verified.IsValid ? verified.Data : null;
    }

    /// <summary>The live local session with <paramref name="id"/>, if any.</summary>
    public LongPollSession? Find(string id) =>
        _sessions.TryGetValue(id, out var session) && !session.IsClosed ? session : null;

    /// <summary>The node and session a token names.</summary>
    internal sealed record SessionAddress(string Node, string Session);
}
