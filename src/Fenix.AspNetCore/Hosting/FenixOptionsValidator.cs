using Microsoft.Extensions.Options;

namespace Fenix.AspNetCore.Hosting;

/// <summary>Checks <see cref="FenixOptions"/> when the host starts; each failure says which key is wrong and what to set.</summary>
internal sealed class FenixOptionsValidator : IValidateOptions<FenixOptions>
{
    public ValidateOptionsResult Validate(string? name, FenixOptions options)
    {
        List<string> failures = [];
        if (options.Json is null)
        {
            failures.Add("FenixOptions.Json is null: leave the default or set JsonSerializerOptions (e.g. new(JsonSerializerDefaults.Web)).");
        }

        if (options.NodeName is { } node && (string.IsNullOrWhiteSpace(node) || node.Length > 200))
        {
            failures.Add($"Fenix:Node is \"{node}\": a node name must be 1 to 200 characters, not blank, and unique in the cluster (or leave it unset: host name and process id).");
        }

        if (options.DrainBatchSize < 1)
        {
            failures.Add($"Fenix:DrainBatchSize is {options.DrainBatchSize}: it must be at least 1 (default 10000). At shutdown connections are asked to reconnect elsewhere this many at a time; with 0 the drain would never end.");
        }

        if (options.DrainInterval < TimeSpan.Zero)
        {
            failures.Add($"Fenix:DrainInterval is {options.DrainInterval}: it must not be negative (default 00:00:02, the pause between drain batches).");
        }

        if (options.DrainTimeout < TimeSpan.Zero)
        {
            failures.Add($"Fenix:DrainTimeout is {options.DrainTimeout}: it must not be negative (default 00:00:30, the longest a shutdown drains).");
        }

        if (options.ReservedFileDescriptors < 0)
        {
            failures.Add($"Fenix:ReservedFileDescriptors is {options.ReservedFileDescriptors}: it must not be negative (default 512).");
        }

        if (options.TokenClockSkew < TimeSpan.Zero)
        {
            failures.Add($"Fenix:TokenClockSkew is {options.TokenClockSkew}: it must not be negative (default 00:00:05).");
        }

        if (options.RequestHeadersTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            failures.Add($"Fenix:RequestHeadersTimeout is {timeout}: it must be positive (default 00:00:15), or null to leave Kestrel's own value.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
