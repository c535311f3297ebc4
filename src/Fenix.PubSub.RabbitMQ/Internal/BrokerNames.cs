using System.Security.Cryptography;
using System.Text;

namespace Fenix.PubSub.RabbitMQ.Internal;

/// <summary>The names of a cluster's broker objects, derived from the prefix, node names and topics.</summary>
internal static class BrokerNames
{
    /// <summary>AMQP short strings (exchange, queue and routing key names) hold at most 255 bytes.</summary>
    public const int MaxShortString = 255;

    /// <summary>The direct exchange every broadcast is published to, with the topic as routing key.</summary>
    public static string BroadcastExchange(string prefix) => $"{prefix}.broadcast";

    /// <summary>A node's exclusive queue; direct messages reach it through the default exchange under this name.</summary>
    public static string NodeQueue(string prefix, string nodeName) => $"{prefix}.node.{nodeName}";

    /// <summary>The routing key of every broadcast with <see cref="RabbitMqRouting.Fanout"/>; no topic maps to it.</summary>
    public const string AllNodes = "#all";

    /// <summary>
    /// The routing key of <paramref name="topic"/>: the topic itself, or a SHA-256 of it when it is longer than a routing
    /// key may be. Collisions would only cost a wasted delivery: the envelope carries the real topic.
    /// </summary>
    public static string RoutingKey(string topic) =>
        Encoding.UTF8.GetByteCount(topic) <= MaxShortString
            ? topic
            : "#sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(topic)));

    public static bool Fits(string name) => Encoding.UTF8.GetByteCount(name) <= MaxShortString;
}
