using Demo.Training;
using Xunit;

namespace Fenix.Samples.Tests.Training;

public sealed class TrainingSessionsTests
{
    private readonly TrainingSessions _sessions = new(TimeProvider.System);

    [Fact]
    public void A_session_starts_once_and_ends_once()
    {
        Assert.False(_sessions.End("s1"));
        Assert.NotNull(_sessions.Start("s1"));
        Assert.Null(_sessions.Start("s1"));
        Assert.True(_sessions.End("s1"));
        Assert.False(_sessions.End("s1"));
        Assert.Null(_sessions.Start("s1"));
        Assert.Equal(SessionStates.Ended, _sessions.Overview("s1").State);
    }

    [Fact]
    public void Progress_is_the_share_of_the_plan_done_listed_in_plan_order()
    {
        _sessions.Register("s1", "lee");
        _sessions.Start("s1");

        Assert.Equal(CompleteOutcome.Completed, _sessions.Complete("s1", "lee", "plank"));
        Assert.Equal(CompleteOutcome.Completed, _sessions.Complete("s1", "lee", "warm-up"));
        Assert.Equal(CompleteOutcome.AlreadyCompleted, _sessions.Complete("s1", "lee", "plank"));
        Assert.Equal(CompleteOutcome.UnknownExercise, _sessions.Complete("s1", "lee", "Plank"));

        var status = _sessions.StatusOf("s1", "lee");
        Assert.Equal(["warm-up", "plank"], status.Completed);
        Assert.Equal(40, status.Progress);
        Assert.Equal(0, _sessions.StatusOf("s2", "lee").Progress);
    }
}
