namespace Fenix.Client;

/// <summary>A transport failed: the connection could not be opened or was lost. <see cref="Status"/> holds a long-poll status (403, 410, 500...) when one applies.</summary>
public sealed class TransportException : Exception
{
    public TransportException(string message, int? status = null, Exception? inner = null)
        : base(message, inner) => Status = status;

    public TransportException()
        : this("The transport failed.")
    {
    }

    public TransportException(string message)
        : this(message, null, null)
    {
    }

    public TransportException(string message, Exception inner)
        : this(message, null, inner)
    {
    }

    public int? Status { get; }
}
