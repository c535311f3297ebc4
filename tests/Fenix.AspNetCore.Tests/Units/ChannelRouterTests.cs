using Fenix.AspNetCore.Routing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>Topic routing (protocol.md §4.3, §11.28): exact topics or a trailing splat, first declared match wins.</summary>
public sealed class ChannelRouterTests
{
    private sealed class LobbyChannel : Channel;

    private sealed class RoomChannel : Channel;

    [Authorize(Policy = "admins")]
    [Authorize]
    private sealed class AdminChannel : Channel;

    private abstract class AbstractChannel : Channel;

    private sealed class Greeter
    {
        public string Hello => "hello";
    }

    private sealed class InjectedChannel(Greeter greeter) : Channel
    {
        public Greeter Greeter { get; } = greeter;
    }

    [Fact]
    public void Exact_patterns_match_only_the_same_topic()
    {
        var route = new ChannelRouter().Add<LobbyChannel>("room:lobby");

        Assert.True(route.Matches("room:lobby"));
        Assert.False(route.Matches("room:lobby2"));
        Assert.False(route.Matches("room:lobb"));
        Assert.False(route.Matches("ROOM:lobby"));
        Assert.False(route.Matches("room:lobby "));
        Assert.False(route.Matches(""));
    }

    [Theory]
    [InlineData("room:", true)]
    [InlineData("room:1", true)]
    [InlineData("room:a:b:c", true)]
    [InlineData("room:*", true)]
    [InlineData("room", false)]
    [InlineData("rooms:1", false)]
    [InlineData("xroom:1", false)]
    [InlineData("Room:1", false)]
    [InlineData("", false)]
    public void Splat_patterns_match_every_topic_with_the_prefix_including_the_bare_prefix(string topic, bool matches)
    {
        var route = new ChannelRouter().Add<RoomChannel>("room:*");

        Assert.Equal(matches, route.Matches(topic));
    }

    [Theory]
    [InlineData("")]
    [InlineData("anything")]
    [InlineData("room:1")]
    public void A_lone_splat_matches_everything(string topic)
    {
        Assert.True(new ChannelRouter().Add<RoomChannel>("*").Matches(topic));
    }

    [Fact]
    public void The_first_declared_match_wins()
    {
        var router = new ChannelRouter();
        var lobby = router.Add<LobbyChannel>("room:lobby");
        var rooms = router.Add<RoomChannel>("room:*");

        Assert.Same(lobby, router.Match("room:lobby"));
        Assert.Same(rooms, router.Match("room:42"));
        Assert.Null(router.Match("other:1"));
    }

    [Fact]
    public void A_splat_declared_first_shadows_later_exact_routes()
    {
        var router = new ChannelRouter();
        var rooms = router.Add<RoomChannel>("room:*");
        router.Add<LobbyChannel>("room:lobby");

        Assert.Same(rooms, router.Match("room:lobby"));
    }

    [Fact]
    public void An_empty_router_matches_nothing()
    {
        Assert.Null(new ChannelRouter().Match("room:1"));
    }

    [Theory]
    [InlineData("room:*:x")]
    [InlineData("*room")]
    [InlineData("ro*om")]
    [InlineData("**")]
    [InlineData("room:**")]
    public void A_splat_anywhere_but_last_is_refused_and_not_added(string pattern)
    {
        var router = new ChannelRouter();

        var exception = Assert.Throws<ArgumentException>(() => router.Add<RoomChannel>(pattern));

        Assert.Contains(pattern, exception.Message, StringComparison.Ordinal);
        Assert.Empty(router.Routes);
    }

    [Fact]
    public void Only_concrete_channel_types_are_accepted()
    {
        var router = new ChannelRouter();

        Type[] invalid = [typeof(string), typeof(AbstractChannel), typeof(Channel)];

        foreach (var type in invalid)
        {
            Assert.Throws<ArgumentException>(() => router.Add("room:*", type));
        }

        Assert.Empty(router.Routes);
    }

    [Fact]
    public void Routes_keep_their_declaration_order_and_details()
    {
        var router = new ChannelRouter();
        var roomType = typeof(RoomChannel);
        router.Add<LobbyChannel>("room:lobby");
        router.Add("room:*", roomType); // the non-generic overload

        Assert.Equal(["room:lobby", "room:*"], router.Routes.Select(r => r.Pattern));
        Assert.Equal([typeof(LobbyChannel), typeof(RoomChannel)], router.Routes.Select(r => r.ChannelType));
        Assert.Equal((false, "room:lobby"), (router.Routes[0].IsPrefix, router.Routes[0].Prefix));
        Assert.Equal((true, "room:"), (router.Routes[1].IsPrefix, router.Routes[1].Prefix));
    }

    [Fact]
    public void Static_assigns_and_policies_are_collected_in_order()
    {
        var route = new ChannelRouter().Add<RoomChannel>("room:*")
            .Assign("flavor", "static")
            .Assign("limit", 3)
            .RequireAuthorization()
            .RequireAuthorization("editors");

        Assert.Equal([new("flavor", "static"), new KeyValuePair<string, object?>("limit", 3)], route.StaticAssigns);
        Assert.Equal(["", "editors"], route.Policies);
    }

    [Fact]
    public void Authorize_attributes_on_the_channel_become_policies()
    {
        var route = new ChannelRouter().Add<AdminChannel>("admin:*");

        Assert.Equal(["", "admins"], route.Policies.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Channels_are_created_with_constructor_injection_one_instance_each()
    {
        var services = new ServiceCollection().AddSingleton<Greeter>().BuildServiceProvider();
        var route = new ChannelRouter().Add<InjectedChannel>("greet:*");

        var first = Assert.IsType<InjectedChannel>(route.Create(services));
        var second = Assert.IsType<InjectedChannel>(route.Create(services));

        Assert.Equal("hello", first.Greeter.Hello);
        Assert.NotSame(first, second);
    }
}
