using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Fenix;

/// <summary>
/// One topic pattern mapped to a channel class: an exact topic (<c>"rooms:lobby"</c>) or a prefix ending in
/// <c>*</c> (<c>"rooms:*"</c> matches every topic starting with <c>"rooms:"</c>, including <c>"rooms:"</c> itself).
/// </summary>
public sealed class ChannelRoute
{
    private readonly List<string> _policies = [];
    private readonly List<KeyValuePair<string, object?>> _assigns = [];

    /// <summary>Builds instances with constructor injection; created once per route.</summary>
    private readonly ObjectFactory _factory;

    internal ChannelRoute(string pattern, Type channelType)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0 && star != pattern.Length - 1)
        {
            throw new ArgumentException(
                $"Channel route '{pattern}' is invalid: '*' is only allowed as the last character (e.g. \"rooms:*\").", nameof(pattern));
        }

        Pattern = pattern;
        IsPrefix = star >= 0;
        Prefix = IsPrefix ? pattern[..^1] : pattern;
        ChannelType = channelType;
        _factory = ActivatorUtilities.CreateFactory(channelType, Type.EmptyTypes);
        foreach (var attribute in channelType.GetCustomAttributes<AuthorizeAttribute>(inherit: true))
        {
            _policies.Add(attribute.Policy ?? "");
        }
    }

    public string Pattern { get; }

    public Type ChannelType { get; }

    internal bool IsPrefix { get; }

    internal string Prefix { get; }

    /// <summary>Authorization policies the socket's user must satisfy to join ("" = the default policy).</summary>
    public IReadOnlyList<string> Policies => _policies;

    internal IReadOnlyList<KeyValuePair<string, object?>> StaticAssigns => _assigns;

    /// <summary>Requires the connected user to satisfy <paramref name="policy"/> (or the default policy) to join.</summary>
    public ChannelRoute RequireAuthorization(string? policy = null)
    {
        _policies.Add(policy ?? "");
        return this;
    }

    /// <summary>Adds an assign to every channel joined through this route.</summary>
    public ChannelRoute Assign(string key, object? value)
    {
        _assigns.Add(new(key, value));
        return this;
    }

    public bool Matches(string topic) =>
        IsPrefix ? topic.StartsWith(Prefix, StringComparison.Ordinal) : string.Equals(topic, Pattern, StringComparison.Ordinal);

    internal Channel Create(IServiceProvider services) => (Channel)_factory(services, null);
}
