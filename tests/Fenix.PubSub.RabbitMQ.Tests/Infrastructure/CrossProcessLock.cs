namespace Fenix.Testing.RabbitMQ;

/// <summary>
/// A readers–writer lock across processes, on advisory file locks (.NET maps FileShare.None to an exclusive and other
/// shares to a shared lock on Unix). Writers announce themselves on a second file first, so that a stream of readers
/// cannot starve them: a reader takes the announcement lock (shared) only briefly, and waits while a writer holds it.
/// </summary>
public static class CrossProcessLock
{
    public static async Task<IAsyncDisposable> AcquireAsync(string directory, bool exclusive, TimeSpan timeout)
    {
        Directory.CreateDirectory(directory);
        var intentPath = Path.Combine(directory, "intent.lock");
        var mainPath = Path.Combine(directory, "broker.lock");
        var deadline = DateTime.UtcNow + timeout;
        if (exclusive)
        {
            var intent = await OpenAsync(intentPath, FileShare.None, deadline);
            try
            {
                var main = await OpenAsync(mainPath, FileShare.None, deadline);
                return new Hold(main, intent);
            }
            catch
            {
                await intent.DisposeAsync();
                throw;
            }
        }

        await using (await OpenAsync(intentPath, FileShare.ReadWrite, deadline))
        {
            return new Hold(await OpenAsync(mainPath, FileShare.ReadWrite, deadline), null);
        }
    }

    private static async Task<FileStream> OpenAsync(string path, FileShare share, DateTime deadline)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, share);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private sealed class Hold(FileStream main, FileStream? intent) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await main.DisposeAsync();
            if (intent is not null)
            {
                await intent.DisposeAsync();
            }
        }
    }
}
