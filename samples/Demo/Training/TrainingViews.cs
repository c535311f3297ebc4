using System.Text.Json.Serialization;

namespace Demo.Training;

/// <summary>One participant's progress: the <c>participant_status</c> push.</summary>
public sealed record ParticipantStatus(
    [property: JsonPropertyName("session")] string Session,
    [property: JsonPropertyName("participant")] string Participant,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("completed")] IReadOnlyList<string> Completed,
    [property: JsonPropertyName("progress")] int Progress);

/// <summary>Everyone's progress: the <c>session_overview</c> push, for trainers only.</summary>
public sealed record SessionOverview(
    [property: JsonPropertyName("session")] string Session,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("exercises")] IReadOnlyList<Exercise> Exercises,
    [property: JsonPropertyName("participants")] IReadOnlyList<ParticipantStatus> Participants);
