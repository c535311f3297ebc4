namespace Demo.Dispatch;

/// <summary>The topics of the Dispatch app.</summary>
public static class DispatchTopics
{
    /// <summary>Where every hero is tracked and general notifications go.</summary>
    public const string Lobby = "notifications:lobby";

    /// <summary>A hero's own topic: only that hero's channel subscribes to it (nobody may join it).</summary>
    public static string Hero(string name) => $"notifications:{name}";
}
