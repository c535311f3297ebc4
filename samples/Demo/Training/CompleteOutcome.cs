namespace Demo.Training;

/// <summary>What happened to a <c>complete_exercise</c>.</summary>
public enum CompleteOutcome
{
    Completed,
    AlreadyCompleted,
    UnknownExercise,
    NotStarted,
    Ended,
}
