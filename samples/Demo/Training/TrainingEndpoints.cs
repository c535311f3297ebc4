using Demo.Shared;
using Fenix;

namespace Demo.Training;

/// <summary>
/// HTTP for the Training Center: <c>POST /training_sessions/{id}/start</c> starts a session and broadcasts
/// <c>training_session_started</c> to <c>training_session:{id}</c> from outside any channel.
/// </summary>
public static class TrainingEndpoints
{
    public static IEndpointRouteBuilder MapTrainingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/training_sessions/{id}/start", (string id, TrainingSessions sessions, IFenixBroadcaster broadcaster) =>
        {
            if (!TopicName.IsValidId(id))
            {
                return Results.BadRequest(new { reason = "a session id is 1 to 40 characters of a-z, 0-9 and '-'" });
            }

            if (sessions.Start(id) is not { } startedAt)
            {
                return Results.Conflict(new { reason = "the session has already started" });
            }

            var started = new { session = id, started_at = startedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
            broadcaster.Broadcast(TrainingChannel.TopicPrefix + id, "training_session_started", started);
            return Results.Ok(started);
        });
        return endpoints;
    }
}
