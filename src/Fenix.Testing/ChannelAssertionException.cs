namespace Fenix.Testing;

/// <summary>A test-kit assertion failed; the message lists what was received instead.</summary>
public sealed class ChannelAssertionException(string message) : Exception(message);
