using Fenix.Bench.Results;

namespace Fenix.Bench.Scenarios;

/// <summary>One benchmark scenario, run against one server at a time.</summary>
internal interface IScenario
{
    string Name { get; }

    /// <summary>The servers the scenario applies to, in <c>--compare</c> order.</summary>
    IReadOnlyList<string> Servers { get; }

    /// <summary>Servers the scenario also runs when named (<c>--server</c>), but not with <c>--compare</c>.</summary>
    IReadOnlyList<string> NamedOnlyServers => [];

    Task<IReadOnlyList<RunResult>> RunAsync(string server, ScenarioSettings settings);
}
