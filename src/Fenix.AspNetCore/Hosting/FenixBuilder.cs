using Microsoft.Extensions.DependencyInjection;

namespace Fenix;

/// <summary>Returned by <c>AddFenix</c> to add features (presence, cluster adapters) to the same registration.</summary>
public sealed class FenixBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;
}
