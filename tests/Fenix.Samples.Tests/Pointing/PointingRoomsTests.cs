using Demo.Pointing;
using Xunit;

namespace Fenix.Samples.Tests.Pointing;

public sealed class PointingRoomsTests
{
    private readonly PointingRooms _rooms = new();

    [Fact]
    public void A_room_starts_empty_and_starting_deals_the_first_card_to_a_driver()
    {
        Assert.Equal(RoomState.Initial, _rooms.Get("lobby"));

        var started = _rooms.Start("lobby", "ann");

        Assert.True(started.IsOk);
        Assert.Equal(Deck.Cards[0], started.State.Card);
        Assert.Equal("ann", started.State.Driver);
        Assert.Equal(1, started.State.Round);
        Assert.Equal(1, started.State.Position);
        Assert.Equal(RoomState.Initial, _rooms.Get("other"));
    }

    [Fact]
    public void Starting_twice_is_refused_and_changes_nothing()
    {
        var first = _rooms.Start("lobby", "ann").State;

        var second = _rooms.Start("lobby", "bob");

        Assert.Equal("pointing has already started", second.Error);
        Assert.Equal(first, _rooms.Get("lobby"));
    }

    [Fact]
    public void Only_the_driver_deals_the_next_card_and_each_card_is_a_new_round()
    {
        Assert.Equal("pointing has not started", _rooms.Next("lobby", "ann").Error);
        _rooms.Start("lobby", "ann");

        Assert.Equal("only the driver can deal the next card", _rooms.Next("lobby", "bob").Error);
        var next = _rooms.Next("lobby", "ann");

        Assert.True(next.IsOk);
        Assert.Equal(Deck.Cards[1], next.State.Card);
        Assert.Equal(2, next.State.Round);
        Assert.Equal(2, next.State.Position);
    }

    [Fact]
    public void After_the_last_card_the_room_is_finished_and_may_start_again()
    {
        _rooms.Start("lobby", "ann");
        for (var i = 1; i < Deck.Cards.Count; i++)
        {
            _rooms.Next("lobby", "ann");
        }

        var finished = _rooms.Next("lobby", "ann").State;

        Assert.Null(finished.Card);
        Assert.True(finished.Finished);
        var again = _rooms.Start("lobby", "bob").State;
        Assert.Equal(Deck.Cards[0], again.Card);
        Assert.Equal("bob", again.Driver);
        Assert.True(again.Round > finished.Round);
    }

    [Fact]
    public void The_driver_role_passes_to_whoever_arrived_first_when_the_driver_is_gone()
    {
        _rooms.Start("lobby", "ann");

        Assert.Equal("ann", _rooms.EnsureDriver("lobby", ["bob", "ann", "cid"]).Driver);
        Assert.Equal("bob", _rooms.EnsureDriver("lobby", ["bob", "cid"]).Driver);
        Assert.Equal("bob", _rooms.EnsureDriver("lobby", ["cid", "bob"]).Driver); // idempotent once handed on
        Assert.Equal("bob", _rooms.EnsureDriver("lobby", []).Driver); // an empty room keeps its driver until someone comes
    }

    [Fact]
    public void Nobody_drives_before_pointing_starts()
    {
        Assert.Null(_rooms.EnsureDriver("lobby", ["ann"]).Driver);
    }
}
