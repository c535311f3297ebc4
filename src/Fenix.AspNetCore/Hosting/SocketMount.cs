namespace Fenix.AspNetCore.Hosting;

/// <summary>One mounted socket handler: its path, its handler instance and its options.</summary>
internal sealed class SocketMount(string path, FenixSocket handler, SocketMountOptions options)
{
    public string Path { get; } = path;

    public FenixSocket Handler { get; } = handler;

    public SocketMountOptions Options { get; } = options;

    public string HandlerName { get; } = handler.GetType().Name;
}
