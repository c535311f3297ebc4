namespace Demo.Training;

/// <summary>An exercise of the session plan: <paramref name="Name"/> identifies it on the wire, <paramref name="Label"/> is shown.</summary>
public sealed record Exercise(string Name, string Label);

/// <summary>The plan every training session follows (fixed: this is a demo).</summary>
public static class Exercises
{
    public static IReadOnlyList<Exercise> Plan { get; } =
    [
        new("warm-up", "Warm-up (5 min)"),
        new("squats", "Squats × 20"),
        new("push-ups", "Push-ups × 15"),
        new("plank", "Plank (1 min)"),
        new("cool-down", "Cool-down stretch"),
    ];

    public static bool Exists(string name) => Plan.Any(e => e.Name == name);
}
