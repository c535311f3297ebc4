namespace Fenix.Presence;

/// <summary>
/// Where presence diffs go once fetched: the ASP.NET Core glue local-broadcasts them as <c>presence_diff</c> to the
/// topic's subscribers on this node (other nodes learn through the tracker and publish their own). Called in order per
/// topic from one dispatcher per shard; must not block.
/// </summary>
internal interface IPresenceDiffPublisher
{
    void Publish(PresenceDiff diff);
}
