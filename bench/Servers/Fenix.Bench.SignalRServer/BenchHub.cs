using Microsoft.AspNetCore.SignalR;

namespace Fenix.Bench.SignalRServer;

/// <summary>A chat message as a member sends it; <see cref="T"/> is the sender's timestamp and <see cref="Seq"/> a paced publisher's number (else -1), echoed for latency.</summary>
public sealed record ChatMessage(long T, int Seq, string Body);

/// <summary>The scenarios' hub: joining a topic is joining a group; a chat message goes to the others in the room.</summary>
public sealed class BenchHub : Hub
{
    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task Send(string group, ChatMessage message) => Clients.OthersInGroup(group).SendAsync("msg", message);
}
