using Microsoft.Extensions.Configuration;

namespace Fenix.Hosting;

/// <summary>
/// How a cluster backend's <c>AddX()</c> reads its configuration key, shared by the backends' hosting packages: a node
/// joins one cluster through one backend, and an adapter configured in code wins over configuration.
/// </summary>
internal static class ClusterBackendSection
{
    /// <summary>Every cluster backend's configuration key.</summary>
    private static readonly string[] BackendKeys = ["Fenix:RabbitMQ", "Fenix:Redis"];

    /// <summary>
    /// The section of <paramref name="key"/> when the configuration names that backend and no adapter is configured
    /// yet; <see langword="null"/> when it is absent or an adapter configured in code takes precedence.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another backend's key is set too, and its adapter was configured first.</exception>
    public static IConfigurationSection? ToUse(FenixOptions options, IConfiguration? configuration, string key)
    {
        if (configuration?.GetSection(key) is not { } section || !section.Exists())
        {
            return null;
        }

        if (options.AdapterFactory is null)
        {
            return section;
        }

        var other = BackendKeys.FirstOrDefault(candidate => candidate != key && configuration.GetSection(candidate).Exists());
        return other is null
            ? null // an adapter configured in code wins
            : throw new InvalidOperationException(
                $"Both {key} and {other} are set: a node joins one cluster, through one backend. Remove one of the two keys.");
    }

    /// <summary>Binds <paramref name="section"/> to a backend's settings: its value (if any) through <paramref name="setValue"/>, then its children.</summary>
    public static void Bind<TSettings>(IConfigurationSection section, TSettings settings, Action<TSettings, string> setValue)
    {
        if (!string.IsNullOrEmpty(section.Value))
        {
            setValue(settings, section.Value);
        }

        section.Bind(settings);
    }
}
