namespace Fenix.Dashboard.Internal;

/// <summary>The dashboard's own topics. They are Fenix's: an application should not use them.</summary>
internal static class DashboardTopics
{
    /// <summary>Pages join it; every node broadcasts its <see cref="NodeSnapshot"/> there as event <c>node</c>.</summary>
    public const string Nodes = "fenix_dashboard";

    /// <summary>Open pages say "someone watches" there every few seconds; nodes report only while someone does.</summary>
    public const string Watch = "fenix_dashboard:watch";

    public const string NodeEvent = "node";

    public const string WatchEvent = "watch";

    /// <summary>How often a page's channel says it watches; nodes keep reporting for <see cref="WatchWindow"/> after the last.</summary>
    public static readonly TimeSpan WatchPeriod = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan WatchWindow = TimeSpan.FromSeconds(10);
}
