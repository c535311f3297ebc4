namespace Demo.Pointing;

/// <summary>The tickets a room points, in order (a fixed backlog: this is a demo).</summary>
public static class Deck
{
    public static IReadOnlyList<Card> Cards { get; } =
    [
        new("FNX-101", "Long-poll fallback", "When WebSockets are blocked, the page keeps working over long polling."),
        new("FNX-102", "Presence in the chat", "Show who is in the lobby, live, including several tabs of one person."),
        new("FNX-103", "Slow consumer metrics", "Count and log clients closed because they could not keep up."),
        new("FNX-104", "RabbitMQ adapter", "Broadcasts and presence cross nodes through a RabbitMQ fanout exchange."),
        new("FNX-105", "Token rotation", "Sockets reconnect with a fresh token before the old one expires."),
    ];
}
