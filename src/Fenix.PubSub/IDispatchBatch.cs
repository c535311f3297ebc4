namespace Fenix.PubSub;

/// <summary>
/// Brackets every dispatch of a message to this node's subscribers — published here or arriving from another node — on
/// the dispatching thread, so that subscribers can defer work their deliveries start (a host wakes the connection writers
/// of a whole broadcast at once) until <see cref="End"/>. Dispatches may nest; calls always come in pairs.
/// </summary>
public interface IDispatchBatch
{
    /// <summary>A dispatch starts on this thread.</summary>
    void Begin();

    /// <summary>The dispatch that the matching <see cref="Begin"/> opened is done (also when a subscriber threw).</summary>
    void End();
}
