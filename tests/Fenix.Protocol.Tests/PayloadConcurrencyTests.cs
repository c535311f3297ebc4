using System.Text.Json;
using Xunit;

namespace Fenix.Protocol.Tests;

/// <summary>
/// One payload is shared by every recipient of a broadcast (intercepted broadcasts reach many channels' HandleOut at
/// once), so its lazily parsed <see cref="Payload.Json"/> is read by several threads for the first time together.
/// </summary>
public sealed class PayloadConcurrencyTests
{
    [Fact]
    public void Concurrent_first_reads_of_a_shared_payload_all_see_the_parsed_value()
    {
        var bytes = "{\"body\":\"hi\"}"u8.ToArray();
        const int Payloads = 100_000, Readers = 2, ReadsEach = 32;
        var current = Payload.FromUtf8Json(bytes);
        var wrong = 0;
        using var start = new Barrier(Readers + 1);
        using var done = new Barrier(Readers + 1);
        var readers = Enumerable.Range(0, Readers).Select(_ => new Thread(() =>
        {
            for (var n = 0; n < Payloads; n++)
            {
                start.SignalAndWait();
                var payload = Volatile.Read(ref current);
                for (var i = 0; i < ReadsEach; i++)
                {
                    if (payload.Json.ValueKind != JsonValueKind.Object || !payload.TryGetString("body", out var body) || body != "hi")
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }

                done.SignalAndWait();
            }
        })).ToList();
        readers.ForEach(t => t.Start());
        for (var n = 0; n < Payloads; n++)
        {
            Volatile.Write(ref current, Payload.FromUtf8Json(bytes)); // a fresh payload: nobody parsed it yet
            start.SignalAndWait();
            done.SignalAndWait();
        }

        readers.ForEach(t => t.Join());
        Assert.Equal(0, wrong);
    }
}
