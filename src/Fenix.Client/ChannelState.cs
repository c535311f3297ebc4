namespace Fenix.Client;

/// <summary>The join state machine of a channel, as in phoenix.js.</summary>
public enum ChannelState
{
    /// <summary>Never joined, or closed for good (left, or closed by the server); a closed channel never rejoins.</summary>
    Closed,

    /// <summary>A join was sent and its reply is awaited.</summary>
    Joining,

    Joined,

    /// <summary>The join was refused or timed out, the channel crashed, or the connection dropped: a rejoin is pending.</summary>
    Errored,

    /// <summary>A leave was requested.</summary>
    Leaving,
}
