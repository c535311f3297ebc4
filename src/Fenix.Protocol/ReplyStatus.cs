namespace Fenix;

/// <summary>The two reply statuses clients understand.</summary>
public static class ReplyStatus
{
    public const string Ok = "ok";
    public const string Error = "error";
}
