namespace Demo.Dispatch;

/// <summary>
/// Hands out hero names, unique in this process: every adjective–hero pair once, in a shuffled order, then the same
/// pairs again with a number ("Iron Falcon 2").
/// </summary>
public sealed class HeroNames
{
    private static readonly string[] Adjectives =
    [
        "Iron", "Silver", "Quantum", "Crimson", "Midnight", "Atomic", "Golden", "Shadow",
        "Electric", "Cosmic", "Thunder", "Emerald", "Frost", "Blazing", "Mystic", "Sonic",
    ];

    private static readonly string[] Heroes =
    [
        "Falcon", "Comet", "Sentinel", "Phantom", "Tempest", "Valkyrie", "Guardian", "Panther",
        "Ranger", "Wizard", "Spark", "Titan", "Nova", "Raven", "Lynx", "Meteor",
    ];

    private readonly string[] _pairs;
    private long _issued = -1;

    /// <summary>Names handed back to returning heroes (<see cref="Restore"/>); <see cref="Next"/> never issues them again.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _restored = new(StringComparer.Ordinal);

    public HeroNames()
        : this(Random.Shared)
    {
    }

    /// <param name="random">The shuffle (seed it for repeatable names in tests).</param>
    public HeroNames(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        _pairs = [.. Adjectives.SelectMany(a => Heroes.Select(h => $"{a} {h}"))];
        random.Shuffle(_pairs);
    }

    /// <summary>The number of names before numbers are added.</summary>
    public int Pairs => _pairs.Length;

    /// <summary>The next name, never one already issued or restored (thread-safe).</summary>
    public string Next()
    {
        while (true)
        {
            var issued = Interlocked.Increment(ref _issued);
            var pair = _pairs[issued % _pairs.Length];
            var lap = issued / _pairs.Length;
            var name = lap == 0 ? pair : $"{pair} {lap + 1}";
            if (!_restored.ContainsKey(name))
            {
                return name;
            }
        }
    }

    /// <summary>
    /// Gives <paramref name="name"/> back to a hero who proved it was theirs (a signed token from before a reconnect or a
    /// server restart): from now on <see cref="Next"/> skips it.
    /// </summary>
    public string Restore(string name)
    {
        _restored.TryAdd(name, 0);
        return name;
    }
}
