using System.Buffers;
using System.IO.Pipelines;

namespace Fenix.AspNetCore.Tests.Transports;

/// <summary>
/// The server's side of an in-memory connection: reads what the test client wrote, writes where the test client reads.
/// Writes wait while the client does not read (the pipe's pause threshold), as a socket's do when the peer's window is
/// full; a test can also make writes hang or fail.
/// </summary>
internal sealed class DuplexTestStream(PipeReader fromClient, PipeWriter toClient) : Stream
{
    private TaskCompletionSource _writesReleased = CompletedSource();

    /// <summary>When set, every later write throws it (the network failed, or the host disposed the stream).</summary>
    public Exception? WriteFailure { get; set; }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Makes writes hang (a peer that vanished without a reset) until <see cref="ReleaseWrites"/>.</summary>
    public void HoldWrites() => _writesReleased = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseWrites() => _writesReleased.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var result = await fromClient.ReadAsync(cancellationToken);
        if (result.Buffer.IsEmpty || buffer.Length == 0)
        {
            // End of stream, or a zero-byte read that only waited for data to be there.
            fromClient.AdvanceTo(result.Buffer.Start);
            return 0;
        }

        var count = (int)Math.Min(buffer.Length, result.Buffer.Length);
        var consumed = result.Buffer.GetPosition(count);
        result.Buffer.Slice(0, count).CopyTo(buffer.Span);
        fromClient.AdvanceTo(consumed);
        return count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (WriteFailure is { } failure)
        {
            throw failure;
        }

        await _writesReleased.Task.WaitAsync(cancellationToken);
        if (WriteFailure is { } late)
        {
            throw late;
        }

        await toClient.WriteAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
