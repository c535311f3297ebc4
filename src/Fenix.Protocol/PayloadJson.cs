using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fenix.Protocol;

/// <summary>The JSON settings used to turn application objects into payloads.</summary>
internal static class PayloadJson
{
    /// <summary>
    /// ASP.NET Core's web defaults (camelCase properties, so <c>new { Body = "x" }</c> becomes <c>{"body":"x"}</c>;
    /// names such as <c>online_at</c> stay as written) with relaxed escaping: frames go to sockets, never into HTML.
    /// </summary>
    /// Read-only: options that users may change (FenixOptions.Json, SocketOptions.JsonOptions) start as copies of it.
    public static JsonSerializerOptions Options { get; } = CreateReadOnly();

    private static JsonSerializerOptions CreateReadOnly()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
