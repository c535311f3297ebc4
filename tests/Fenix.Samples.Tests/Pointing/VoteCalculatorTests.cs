using Demo.Pointing;
using Xunit;

namespace Fenix.Samples.Tests.Pointing;

public sealed class VoteCalculatorTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("5")]
    [InlineData("8")]
    [InlineData("13")]
    public void Every_card_value_is_a_card(string points) => Assert.True(VoteCalculator.IsCard(points));

    [Theory]
    [InlineData("4")]
    [InlineData("0")]
    [InlineData("")]
    [InlineData(" 5")]
    [InlineData("13.0")]
    [InlineData("?")]
    [InlineData(null)]
    public void Anything_else_is_not_a_card(string? points) => Assert.False(VoteCalculator.IsCard(points));

    [Fact]
    public void The_most_voted_card_wins()
    {
        var outcome = VoteCalculator.Decide(["5", "3", "5", "8"]);

        Assert.Equal(["5"], outcome.Points);
        Assert.False(outcome.IsTie);
        Assert.Equal(4, outcome.Votes);
        Assert.Equal(2, outcome.WinnerVotes);
    }

    [Fact]
    public void The_winner_count_is_the_winning_cards_votes_not_the_total()
    {
        var outcome = VoteCalculator.Decide(["3", "5", "5"]);

        Assert.Equal(["5"], outcome.Points);
        Assert.Equal(2, outcome.WinnerVotes);
        Assert.Equal(3, outcome.Votes);
    }

    [Fact]
    public void A_unanimous_room_has_a_winner()
    {
        var outcome = VoteCalculator.Decide(["13", "13"]);

        Assert.Equal(["13"], outcome.Points);
        Assert.Equal(2, outcome.Votes);
    }

    [Fact]
    public void Equal_counts_are_a_tie_listed_in_card_order()
    {
        var outcome = VoteCalculator.Decide(["13", "2", "13", "2", "5"]);

        Assert.True(outcome.IsTie);
        Assert.Equal(["2", "13"], outcome.Points);
        Assert.Equal(5, outcome.Votes);
        Assert.Equal(2, outcome.WinnerVotes);
    }

    [Fact]
    public void Everyone_voting_differently_is_a_tie_of_all_their_cards()
    {
        var outcome = VoteCalculator.Decide(["8", "1", "3"]);

        Assert.Equal(["1", "3", "8"], outcome.Points);
    }

    [Fact]
    public void Values_that_are_not_cards_are_not_counted()
    {
        var outcome = VoteCalculator.Decide(["4", "5", "banana"]);

        Assert.Equal(["5"], outcome.Points);
        Assert.Equal(1, outcome.Votes);
        Assert.Empty(VoteCalculator.Decide([]).Points);
    }

    [Fact]
    public void A_round_is_undecided_while_someone_present_has_not_voted()
    {
        Assert.Null(VoteCalculator.Tally([new Voter("ann", "5"), new Voter("bob", null)]));
        Assert.Null(VoteCalculator.Tally([]));
    }

    [Fact]
    public void A_round_is_decided_over_those_present_once_all_of_them_voted()
    {
        var outcome = VoteCalculator.Tally([new Voter("ann", "3"), new Voter("bob", "3"), new Voter("cid", "8")]);

        Assert.NotNull(outcome);
        Assert.Equal(["3"], outcome.Points);
        Assert.Equal(3, outcome.Votes);

        // The voter who has not voted leaves: the round is decided by those still present.
        var afterLeave = VoteCalculator.Tally([new Voter("ann", "8"), new Voter("bob", "8")]);
        Assert.Equal(["8"], afterLeave!.Points);
    }
}
