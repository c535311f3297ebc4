namespace Fenix.Presence;

/// <summary>
/// Where presence diffs go once fetched: the ASP.NET Core glue local-broadcasts them as <c>presence_diff</c> to the
/// topic's subscribers on this node (other nodes learn through the tracker and publish their own). Called in order per
/// topic from one dispatcher per shard; must not block.
/// </summary>
internal interface IPresenceDiffPublisher
{
    void Publish(PresenceDiff diff);

    /// <summary>
    /// How many recipients a diff of <paramref name="topic"/> has here (its subscribers on this node), read when a diff
    /// arrives: adaptive coalescing spaces a busy topic's merged diffs by it. 0 when unknown.
    /// </summary>
    int AudienceOf(string topic) => 0;
}
