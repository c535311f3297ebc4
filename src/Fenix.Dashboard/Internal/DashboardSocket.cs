namespace Fenix.Dashboard.Internal;

/// <summary>
/// The dashboard page's socket. It accepts whoever reached it: the HTTP request was already authorized by the policy on
/// the dashboard's route group (see <see cref="Microsoft.AspNetCore.Builder.FenixDashboardEndpointRouteBuilderExtensions"/>).
/// </summary>
internal sealed class DashboardSocket : FenixSocket
{
    public DashboardSocket() => Channel<DashboardChannel>(DashboardTopics.Nodes);
}
