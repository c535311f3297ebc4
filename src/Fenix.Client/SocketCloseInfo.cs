namespace Fenix.Client;

/// <summary>How a connection ended: the WebSocket close code (1005 when none was given, 1006 when the connection was lost) and reason.</summary>
public readonly record struct SocketCloseInfo(int Code, string? Reason, bool WasClean)
{
    /// <summary>Normal closure: the server does not want the client back, so the socket does not reconnect.</summary>
    public const int NormalClosure = 1000;

    public const int NoStatus = 1005;

    public const int Abnormal = 1006;
}
