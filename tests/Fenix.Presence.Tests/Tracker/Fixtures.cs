using System.Text.Json;
using Fenix.Presence.Tracker;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>Replica identities, metas and shortcuts shared by the tracker tests.</summary>
internal static class Fixtures
{
    public static readonly ReplicaRef A = new("a", 100);
    public static readonly ReplicaRef B = new("b", 200);
    public static readonly ReplicaRef C = new("c", 300);

    /// <summary>A meta object with a phx_ref and optional extra string fields.</summary>
    public static JsonElement Meta(string phxRef, params (string Name, string Value)[] fields)
    {
        var map = new Dictionary<string, string> { ["phx_ref"] = phxRef };
        foreach (var (name, value) in fields)
        {
            map[name] = value;
        }

        return JsonSerializer.SerializeToElement(map);
    }

    public static string PhxRef(this TrackerElement element) => element.Meta.GetProperty("phx_ref").GetString()!;

    /// <summary>The observable identity of an element, as a client would see it.</summary>
    public static (string Topic, string Owner, string Key, string PhxRef) View(this TrackerElement element) =>
        (element.Topic, element.Owner, element.Key, element.PhxRef());

    public static HashSet<(string Topic, string Owner, string Key, string PhxRef)> Views(this IEnumerable<TrackerElement> elements) =>
        [.. elements.Select(View)];

    public static string[] Refs(this IEnumerable<TrackerElement> elements) =>
        [.. elements.Select(PhxRef).Order(StringComparer.Ordinal)];

    /// <summary>A fresh state that already knows the given peers as up.</summary>
    public static TrackerState NewState(ReplicaRef self, params ReplicaRef[] peers)
    {
        var state = new TrackerState(self);
        foreach (var peer in peers)
        {
            state.ReplicaUp(peer);
        }

        return state;
    }

    /// <summary>Takes the sender's delta and merges it into each receiver; returns the diff of the last receiver.</summary>
    public static TrackerDiff Gossip(TrackerState sender, params TrackerState[] receivers)
    {
        var delta = sender.TakeDelta();
        var diff = TrackerDiff.Empty;
        foreach (var receiver in receivers)
        {
            diff = receiver.Merge(delta);
        }

        return diff;
    }

    /// <summary>A full transfer from <paramref name="responder"/> to <paramref name="requester"/>.</summary>
    public static TrackerDiff Transfer(TrackerState responder, TrackerState requester) =>
        requester.Merge(responder.Extract(requester.Clocks()));

    public static Dictionary<ReplicaRef, long> Ctx(params (ReplicaRef Replica, long Clock)[] entries)
    {
        var context = new Dictionary<ReplicaRef, long>();
        foreach (var (replica, clock) in entries)
        {
            context[replica] = clock;
        }

        return context;
    }
}
