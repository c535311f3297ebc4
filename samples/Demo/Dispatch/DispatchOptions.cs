namespace Demo.Dispatch;

/// <summary>Settings of the Dispatch app (configuration section <c>Dispatch</c>, e.g. <c>--Dispatch:PagerInterval=00:00:02</c>).</summary>
public sealed class DispatchOptions
{
    public const string Section = "Dispatch";

    /// <summary>How often the <see cref="DispatchPager"/> sends a random present hero a notification.</summary>
    public TimeSpan PagerInterval { get; set; } = TimeSpan.FromSeconds(5);
}
