using System.Text.Json;
using Demo.Pointing;
using Xunit;

namespace Fenix.Samples.Tests.Pointing;

public sealed class PointingPresenceTests
{
    [Fact]
    public void Voters_count_only_votes_of_the_given_round()
    {
        var present = Map(
            ("ann", """{"online_at":1,"vote":"5","voted_in":2,"phx_ref":"a"}"""),
            ("bob", """{"online_at":2,"vote":"3","voted_in":1,"phx_ref":"b"}"""),
            ("cid", """{"online_at":3,"vote":null,"voted_in":null,"phx_ref":"c"}"""));

        var voters = PointingPresence.Voters(present, round: 2);

        Assert.Equal([new Voter("ann", "5"), new Voter("bob", null), new Voter("cid", null)], voters);
    }

    [Fact]
    public void A_user_with_several_sessions_has_voted_when_any_of_them_has()
    {
        var present = Map(
            ("ann", """{"online_at":1,"vote":null,"voted_in":null,"phx_ref":"a1"}"""),
            ("ann", """{"online_at":5,"vote":"8","voted_in":4,"phx_ref":"a2"}"""));

        Assert.Equal([new Voter("ann", "8")], PointingPresence.Voters(present, round: 4));
    }

    [Fact]
    public void Arrival_order_uses_each_users_earliest_session_then_the_name()
    {
        var present = Map(
            ("cid", """{"online_at":30}"""),
            ("bob", """{"online_at":10}"""),
            ("ann", """{"online_at":40}"""),
            ("ann", """{"online_at":10}"""));

        Assert.Equal(["ann", "bob", "cid"], PointingPresence.ByArrival(present));
    }

    [Fact]
    public void Redaction_removes_votes_from_state_and_diffs_and_keeps_the_refs()
    {
        var present = Map(("ann", """{"online_at":1,"vote":"5","voted_in":2,"phx_ref":"new","phx_ref_prev":"old"}"""));

        var state = PresenceRedaction.State(present, Fenix.Protocol.PayloadJson.Options).ToJsonString();
        var diff = PresenceRedaction.Diff(Payload.ParseUtf8Json("""
            {"joins":{"ann":{"metas":[{"online_at":1,"vote":"5","voted_in":2,"phx_ref":"new","phx_ref_prev":"old"}]}},
             "leaves":{"ann":{"metas":[{"online_at":1,"vote":null,"voted_in":null,"phx_ref":"old"}]}}}
            """u8.ToArray())).ToJsonString();

        Assert.Equal("""{"ann":{"metas":[{"online_at":1,"voted_in":2,"phx_ref":"new","phx_ref_prev":"old"}]}}""", state);
        Assert.Equal(
            """{"joins":{"ann":{"metas":[{"online_at":1,"voted_in":2,"phx_ref":"new","phx_ref_prev":"old"}]}},"leaves":{"ann":{"metas":[{"online_at":1,"voted_in":null,"phx_ref":"old"}]}}}""",
            diff);
    }

    private static PresenceMap Map(params (string Key, string Meta)[] entries)
    {
        var map = new PresenceMap();
        foreach (var (key, meta) in entries)
        {
            map.Add(key, JsonDocument.Parse(meta).RootElement.Clone());
        }

        return map;
    }
}
