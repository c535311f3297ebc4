namespace Fenix.AspNetCore.Routing;

/// <summary>The channel routes of a socket, matched in declaration order (the first match wins).</summary>
internal sealed class ChannelRouter
{
    private readonly List<ChannelRoute> _routes = [];

    public IReadOnlyList<ChannelRoute> Routes => _routes;

    public ChannelRoute Add<TChannel>(string pattern)
        where TChannel : Channel => Add(pattern, typeof(TChannel));

    public ChannelRoute Add(string pattern, Type channelType)
    {
        if (!typeof(Channel).IsAssignableFrom(channelType) || channelType.IsAbstract)
        {
            throw new ArgumentException($"{channelType} must be a concrete subclass of {typeof(Channel)}.", nameof(channelType));
        }

        var route = new ChannelRoute(pattern, channelType);
        _routes.Add(route);
        return route;
    }

    public ChannelRoute? Match(string topic)
    {
        foreach (var route in _routes)
        {
            if (route.Matches(topic))
            {
                return route;
            }
        }

        return null;
    }
}
