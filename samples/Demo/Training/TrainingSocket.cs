using Demo.Shared;
using Fenix;

namespace Demo.Training;

/// <summary>
/// The Training Center socket (<c>/training/socket</c>): connect with <c>?name=kim&amp;role=trainer</c> or
/// <c>role=participant</c>; any other role (or a missing name) is refused. Then join <c>training_session:&lt;id&gt;</c>.
/// </summary>
public sealed class TrainingSocket : FenixSocket
{
    public const string Trainer = "trainer";
    public const string Participant = "participant";

    public TrainingSocket() => Channel<TrainingChannel>(TrainingChannel.TopicPrefix + "*");

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
        DisplayName.TryNormalize(parameters.Get("name"), out var name) && parameters.Get("role") is Trainer or Participant
            ? ConnectResult.Accept(("name", name), ("role", parameters.Get("role")))
            : ConnectResult.Refuse();
}
