using Microsoft.Extensions.DependencyInjection;

namespace Fenix;

/// <summary>Returned by <c>AddFenix</c> to add features (presence, cluster adapters) to the same registration.</summary>
public sealed class FenixBuilder
{
    internal FenixBuilder(IServiceCollection services) => Services = services;

    /// <summary>The services <c>AddFenix</c> registered into; extensions such as <c>AddPresence</c> add theirs here.</summary>
    public IServiceCollection Services { get; }
}
