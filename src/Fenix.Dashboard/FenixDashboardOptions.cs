namespace Fenix.Dashboard;

/// <summary>Settings of the Fenix dashboard (<c>AddFenix().AddDashboard(options =&gt; ...)</c>, or configuration section <c>Fenix:Dashboard</c>).</summary>
public sealed class FenixDashboardOptions
{
    /// <summary>How often each node sends its figures while someone watches (default 1 s).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many topics each node reports, the busiest first (default 50).</summary>
    public int MaxTopics { get; set; } = 50;

    /// <summary>How many recent warnings and errors of Fenix's log categories each node keeps and reports (default 30).</summary>
    public int MaxErrors { get; set; } = 30;

    /// <summary>How many presence keys the presence panel lists for one topic (default 200).</summary>
    public int MaxPresenceKeys { get; set; } = 200;

    internal List<string> Problems()
    {
        List<string> failures = [];
        if (RefreshInterval < TimeSpan.FromMilliseconds(100) || RefreshInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Fenix:Dashboard:RefreshInterval is {RefreshInterval}: use 00:00:00.1 to 00:01:00 (default 00:00:01).");
        }

        if (MaxTopics is < 1 or > 10_000)
        {
            failures.Add($"Fenix:Dashboard:MaxTopics is {MaxTopics}: use 1 to 10000 (default 50).");
        }

        if (MaxErrors is < 0 or > 1_000)
        {
            failures.Add($"Fenix:Dashboard:MaxErrors is {MaxErrors}: use 0 to 1000 (default 30).");
        }

        if (MaxPresenceKeys is < 1 or > 10_000)
        {
            failures.Add($"Fenix:Dashboard:MaxPresenceKeys is {MaxPresenceKeys}: use 1 to 10000 (default 200).");
        }

        return failures;
    }
}
