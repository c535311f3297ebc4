using System.Text.Json;
using Fenix.Bench.Shared;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// The <c>loadgen</c> sub-mode: reads <see cref="LoadGenCommand"/> lines from standard input and answers each with one
/// <see cref="LoadGenEvent"/> line on standard output (nothing else is written there). Ends on <c>close</c>, when
/// standard input closes (the coordinator is gone), or after <see cref="MaxLifetime"/>.
/// </summary>
internal static class LoadGenMain
{
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(60);

    public static async Task<int> RunAsync()
    {
        using var lifetime = new CancellationTokenSource(MaxLifetime);
        await using var runner = new LoadGenRunner();
        while (await ReadLineAsync(lifetime.Token) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            LoadGenEvent reply;
            string op;
            try
            {
                var command = JsonSerializer.Deserialize<LoadGenCommand>(line, LoadGenCommand.Json)
                    ?? throw new InvalidOperationException("empty command");
                op = command.Op;
                reply = await runner.HandleAsync(command);
            }
            catch (Exception e)
            {
                op = "error";
                reply = new LoadGenEvent { Ev = "error", FirstError = e.ToString() };
            }

            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(reply, LoadGenCommand.Json));
            await Console.Out.FlushAsync();
            if (op == "close")
            {
                break;
            }
        }

        return 0;
    }

    private static async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Console.In.ReadLineAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
