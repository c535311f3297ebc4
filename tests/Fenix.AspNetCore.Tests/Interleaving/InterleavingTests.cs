using System.Globalization;
using Fenix.Tests.Model;
using Xunit;

namespace Fenix.AspNetCore.Tests.Interleaving;

/// <summary>
/// Systematic interleaving tests of the session and channel state machines: the real <c>SocketSession</c> and channel
/// servers, each run under a deterministic scheduler whose seed chooses when the client's next frame arrives and which
/// mailbox step or continuation runs next. Thousands of seeds per test; <c>FENIX_INTERLEAVING_SEED</c> replays one,
/// <c>FENIX_INTERLEAVING_RUNS</c> changes the count (a soak).
/// </summary>
public sealed class InterleavingTests
{
    private const string A = "model:a", B = "model:b";

    public static TheoryData<string> Races => new()
    {
        "join vs leave",
        "join vs duplicate join",
        "join vs crash",
        "duplicate join vs crash",
        "leave vs duplicate join",
        "stop vs duplicate join",
        "refused join vs events",
        "crashed join vs duplicate join",
    };

    [Fact]
    public void Random_client_runs_match_the_model_under_every_interleaving_tried()
    {
        var failures = Explore(defaultRuns: 3000, seed => new InterleavingRun(seed).RunGenerated());
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(3)));
    }

    [Theory]
    [MemberData(nameof(Races))]
    public void A_race_ends_as_the_model_says_in_every_interleaving_tried(string race)
    {
        var actions = Scenario(race);
        var failures = Explore(defaultRuns: 400, seed => new InterleavingRun(seed).Run(actions, [A, B], Disruption.None));
        Assert.True(failures.Count == 0, $"{race}:\n" + string.Join("\n\n", failures.Take(3)));
    }

    [Theory]
    [InlineData(Disruption.Disconnect)]
    [InlineData(Disruption.SlowConsumer)]
    public void A_connection_cut_anywhere_leaves_nothing_behind(Disruption disruption)
    {
        var actions = Scenario("join vs duplicate join").Concat(Scenario("duplicate join vs crash")).Concat(Scenario("leave vs duplicate join")).ToList();
        var failures = Explore(defaultRuns: 600, seed => new InterleavingRun(seed).Run(actions, [A, B], disruption));
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(3)));
    }

    /// <summary>Short pipelined sequences where two things race on one topic (refs are unique across a scenario).</summary>
    private static List<ModelAction> Scenario(string race)
    {
        var n = 0;
        string Ref() => (++n).ToString(CultureInfo.InvariantCulture) + race.Length.ToString(CultureInfo.InvariantCulture);
        JoinAction Join(string topic, string outcome = "ok")
        {
            var @ref = Ref();
            return new JoinAction(topic, @ref, @ref, outcome);
        }

        var first = Join(A);
        List<ModelAction> actions = race switch
        {
            "join vs leave" => [first, new LeaveAction(A, first.JoinRef, Ref()), Join(A), new LeaveAction(A, null, Ref())],
            "join vs duplicate join" => [first, Join(A), new PushAction(A, first.JoinRef, Ref(), "echo", 1), Join(A), Join(B)],
            "join vs crash" => [first, new PushAction(A, first.JoinRef, Ref(), "boom", 1), new PushAction(A, null, Ref(), "echo", 2), Join(A)],
            "duplicate join vs crash" => [first, new PushAction(A, null, Ref(), "push", 1), Join(A), new PushAction(A, first.JoinRef, Ref(), "boom", 2), new PushAction(A, null, Ref(), "boom", 3)],
            "leave vs duplicate join" => [first, new LeaveAction(A, null, Ref()), Join(A), new LeaveAction(A, first.JoinRef, Ref()), Join(A)],
            "stop vs duplicate join" => [first, new PushAction(A, null, Ref(), "stop", 1), Join(A), new PushAction(A, null, Ref(), "bcast", 2), Join(A, "refuse")],
            "refused join vs events" => [Join(A, "refuse"), new PushAction(A, null, Ref(), "echo", 1), new LeaveAction(A, null, Ref()), Join(A), new PushAction(A, null, Ref(), "echo", 2)],
            "crashed join vs duplicate join" => [first, Join(A, "crash"), new PushAction(A, null, Ref(), "echo", 1), Join(A), Join(A, "crash")],
            _ => throw new ArgumentException(race),
        };
        actions.Add(new PushAction(A, null, Ref(), "echo", 99)); // barriers: their answers prove everything before was answered
        actions.Add(new PushAction(B, null, Ref(), "echo", 98));
        return actions;
    }

    private static List<string> Explore(int defaultRuns, Func<int, string?> run)
    {
        if (Environment.GetEnvironmentVariable("FENIX_INTERLEAVING_SEED") is { Length: > 0 } replay)
        {
            return run(int.Parse(replay, CultureInfo.InvariantCulture)) is { } failure ? [failure] : [];
        }

        var runs = Environment.GetEnvironmentVariable("FENIX_INTERLEAVING_RUNS") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : defaultRuns;
        var failures = new List<string>();
        for (var seed = 1; seed <= runs && failures.Count < 3; seed++)
        {
            if (run(seed) is { } failure)
            {
                failures.Add($"seed {seed}: {failure}");
            }
        }

        return failures;
    }
}
