namespace Fenix.Client;

/// <summary>The state of a socket's current connection.</summary>
public enum ConnectionState
{
    Connecting,
    Open,
    Closing,
    Closed,
}
