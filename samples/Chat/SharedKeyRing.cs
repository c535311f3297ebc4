using Microsoft.AspNetCore.DataProtection;

namespace Chat;

/// <summary>
/// Nodes of one machine share Data Protection's default key folder, and long-poll session tokens must verify on every
/// node (a request may reach any node, which forwards it to the session's owner). Nodes started together on a fresh
/// machine would each create a key of their own; a node that loaded the folder before another node's key was written
/// refuses that node's tokens once its key ring stops refreshing on unknown keys (two minutes after start). So each node
/// loads its key ring, creating the first key when there is none, while it holds a lock file that every node of the
/// machine takes in turn: the first creates the key and the others find it. Nodes on different machines share a key
/// ring through a store of their own (docs/guide.md, "Tokens").
/// </summary>
internal static partial class SharedKeyRing
{
    private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LockRetry = TimeSpan.FromMilliseconds(20);

    public static async Task LoadAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SharedKeyRing));
        await using var held = await AcquireAsync(log, cancellationToken);

        // Protecting anything makes Data Protection read the key folder and, when it holds no usable key, write one.
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Chat.SharedKeyRing").Protect([1]);
    }

    /// <summary>
    /// The lock file, in Data Protection's default key folder (%LOCALAPPDATA%/ASP.NET/DataProtection-Keys, else
    /// ~/.aspnet/DataProtection-Keys), so exactly the processes that share that folder take turns; its repository reads
    /// only *.xml files.
    /// </summary>
    private static string? LockPath()
    {
        var folder = Environment.GetEnvironmentVariable("LOCALAPPDATA") is { Length: > 0 } local
            ? Path.Combine(local, "ASP.NET", "DataProtection-Keys")
            : Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? Path.Combine(home, ".aspnet", "DataProtection-Keys") : null;
        return folder is null ? null : Path.Combine(folder, ".chat-key-ring.lock");
    }

    /// <summary>The lock, or null when there is no key folder or the lock could not be had in time (the node then starts as it would without it).</summary>
    private static async Task<FileStream?> AcquireAsync(ILogger log, CancellationToken cancellationToken)
    {
        if (LockPath() is not { } path)
        {
            return null;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // no key folder to write: Data Protection keeps its keys in memory, and there is nothing to share
        }

        var deadline = DateTime.UtcNow + LockPatience;
        var waiting = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive advisory lock on Linux and macOS and a sharing lock on Windows; the
                // operating system releases it if the process dies.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                if (!waiting)
                {
                    waiting = true;
                    WaitingForLock(log, path);
                }

                await Task.Delay(LockRetry, cancellationToken); // another node of this machine is loading its key ring
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Waiting for another process to load the Data Protection key ring ({LockPath})")]
    private static partial void WaitingForLock(ILogger log, string lockPath);
}
