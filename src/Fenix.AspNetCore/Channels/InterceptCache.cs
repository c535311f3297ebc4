using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Fenix.AspNetCore.Channels;

/// <summary>Intercept lists are declared per class; instances share one frozen set instead of allocating their own.</summary>
internal static class InterceptCache
{
    private static readonly ConcurrentDictionary<Type, FrozenSet<string>> Sets = new();

    public static FrozenSet<string> For(Type channelType, string[] events)
    {
        if (Sets.TryGetValue(channelType, out var cached) && cached.SetEquals(events))
        {
            return cached;
        }

        var set = events.ToFrozenSet(StringComparer.Ordinal);
        Sets[channelType] = set;
        return set;
    }
}
