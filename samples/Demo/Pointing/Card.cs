namespace Demo.Pointing;

/// <summary>A ticket to estimate.</summary>
public sealed record Card(string Id, string Title, string Description);
