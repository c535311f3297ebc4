using Fenix.PubSub.History;
using Xunit;

namespace Fenix.PubSub.Tests.History;

public sealed class HistoryPositionTests
{
    [Fact]
    public void A_position_round_trips_through_its_wire_form()
    {
        var position = new HistoryPosition(HistoryEpoch.New(1_700_000_000_000), 42);
        Assert.Matches("^[0-9a-z]{13}:42$", position.ToString());
        Assert.True(HistoryPosition.TryParse(position.ToString(), out var parsed));
        Assert.Equal(position, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("42")] // what clients use for their own refs: never a position
    [InlineData(":42")]
    [InlineData("abc:")]
    [InlineData("abc:-1")]
    [InlineData("abc:+1")]
    [InlineData("abc:1.5")]
    [InlineData("ABC:1")]
    [InlineData("a-b:1")]
    [InlineData("abc:1 ")]
    [InlineData("abc:99999999999999999999")] // beyond a long
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789:1")] // an epoch longer than 32
    public void Malformed_positions_are_refused(string? text) => Assert.False(HistoryPosition.TryParse(text, out _));

    [Fact]
    public void Later_epochs_sort_after_earlier_ones()
    {
        var earlier = HistoryEpoch.New(1_700_000_000_000);
        var later = HistoryEpoch.New(1_700_000_000_001);
        Assert.True(HistoryEpoch.Compare(later, earlier) > 0);
        Assert.True(HistoryEpoch.IsValid(earlier));
        Assert.NotEqual(HistoryEpoch.New(5), HistoryEpoch.New(5) + "x");
    }
}
