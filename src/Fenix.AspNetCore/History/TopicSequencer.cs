using Fenix.PubSub.History;

namespace Fenix.AspNetCore.History;

/// <summary>
/// The order in which one node hands a history topic's messages to its channels: by offset, each once, with nothing
/// skipped silently. Pure state, owned by one <see cref="TopicFeed"/> (under its lock); time is an input.
/// </summary>
/// <remarks>
/// <para>Messages arrive in any order (two nodes publish to one topic and their broadcasts travel separately). One whose
/// predecessors have not arrived is held until they do; after the reorder window (or with too many held) the missing
/// ones are asked of the store (<see cref="SequencerStep{T}.Fetch"/>). If the store cannot give them, the step says
/// <see cref="SequencedKind.Gap"/>: the channels must tell their clients, who recover by rejoining.</para>
/// <para>A feed starts unseeded: it holds what arrives until a recovery read tells it where the stream stands
/// (<see cref="Seed"/>), or, after the window, starts from the first message it holds. A newer epoch is a gap (the
/// node cannot know what it missed of the old one); messages of older epochs are stragglers and are dropped.</para>
/// </remarks>
internal sealed class TopicSequencer<T>
{
    private readonly long _windowMs;
    private readonly int _maxHeld;

    /// <summary>Messages beyond <see cref="Through"/> + 1 (seeded) or all (unseeded), of <see cref="_heldEpoch"/>, by offset.</summary>
    private readonly SortedDictionary<long, T> _held = [];

    /// <summary>The epoch of <see cref="_held"/> (the feed's epoch once seeded and known).</summary>
    private string? _heldEpoch;

    /// <summary>When the current wait ends (a hole since this time, or unseeded with messages held); null when nothing is held.</summary>
    private long? _deadline;

    /// <summary>The store read in flight (one at a time): how many entries after which offset it asked for.</summary>
    private (long After, int Count)? _fetching;

    public TopicSequencer(TimeSpan window, int maxHeld)
    {
        _windowMs = Math.Max(1, (long)window.TotalMilliseconds);
        _maxHeld = maxHeld;
    }

    /// <summary>The most entries asked of the store in one read.</summary>
    public const int MaxFetch = 1000;

    public bool IsSeeded { get; private set; }

    /// <summary>The epoch of the messages handed on; null before the first (or when seeded on a topic without a stream).</summary>
    public string? Epoch { get; private set; }

    /// <summary>Every offset up to this one was handed on or skipped (at seeding); the next one handed on is this + 1.</summary>
    public long Through { get; private set; }

    /// <summary>Where the feed started: <see cref="Through"/> when it was seeded.</summary>
    public long SeedThrough { get; private set; }

    public int HeldCount => _held.Count;

    /// <summary>A message of the stream arrived.</summary>
    public SequencerStep<T> Arrive(HistoryPosition position, T item, long nowMs)
    {
        var step = new SequencerStep<T>();
        if (!IsSeeded)
        {
            if (_heldEpoch is null || HistoryEpoch.Compare(position.Epoch, _heldEpoch) > 0)
            {
                _held.Clear();
                _heldEpoch = position.Epoch;
            }
            else if (position.Epoch != _heldEpoch)
            {
                return step; // a straggler of an older epoch
            }

            _held.TryAdd(position.Offset, item);
            _deadline ??= nowMs + _windowMs;
            if (_held.Count > _maxHeld)
            {
                SeedFromHeld(step);
            }

            return Finish(step, nowMs, moved: false);
        }

        if (Epoch is null)
        {
            Epoch = _heldEpoch = position.Epoch; // seeded on a topic without a stream: its first epoch is the one expected
        }
        else if (position.Epoch != Epoch)
        {
            if (HistoryEpoch.Compare(position.Epoch, Epoch) < 0)
            {
                return step;
            }

            step.Add(SequencedKind.Gap, 0, default!); // the stream restarted: what the node missed of the old epoch is unknowable
            Epoch = _heldEpoch = position.Epoch;
            Through = 0;
            _held.Clear();
            _fetching = null;
        }

        var before = Through;
        if (position.Offset == Through + 1)
        {
            step.Add(SequencedKind.Message, position.Offset, item);
            Through++;
            DrainHeld(step);
        }
        else if (position.Offset > Through + 1)
        {
            _held.TryAdd(position.Offset, item);
        }

        return Finish(step, nowMs, moved: Through != before);
    }

    /// <summary>
    /// A recovery read found the stream at <paramref name="top"/> in <paramref name="epoch"/> (null: no stream). The
    /// first seed sets where the feed starts; later ones change nothing. Returns the feed's epoch and start.
    /// </summary>
    public (string? Epoch, long SeedThrough, SequencerStep<T> Step) Seed(string? epoch, long top, long nowMs)
    {
        var step = new SequencerStep<T>();
        if (IsSeeded)
        {
            return (Epoch, SeedThrough, step);
        }

        IsSeeded = true;
        if (_heldEpoch is not null && epoch is not null && _heldEpoch != epoch && HistoryEpoch.Compare(_heldEpoch, epoch) > 0)
        {
            // What is held is newer than the read: start from it (the reader's epoch will not match, it recovers nothing).
            Epoch = _heldEpoch;
            Through = SeedThrough = _held.Keys.First() - 1;
        }
        else
        {
            if (_heldEpoch != epoch && epoch is not null)
            {
                _held.Clear(); // stragglers of an older epoch
            }

            Epoch = epoch ?? _heldEpoch;
            _heldEpoch = Epoch;
            Through = SeedThrough = epoch is null ? 0 : top;
            foreach (var offset in _held.Keys.Where(o => o <= Through).ToList())
            {
                _held.Remove(offset);
            }
        }

        DrainHeld(step);
        return (Epoch, SeedThrough, Finish(step, nowMs, moved: true));
    }

    /// <summary>Time passed: a wait that is over seeds the feed from what it holds, or asks the store for the missing messages.</summary>
    public SequencerStep<T> Tick(long nowMs)
    {
        var step = new SequencerStep<T>();
        if (_held.Count == 0 || _deadline is not { } deadline || nowMs < deadline)
        {
            return Finish(step, nowMs, moved: false);
        }

        if (!IsSeeded)
        {
            SeedFromHeld(step);
            return Finish(step, nowMs, moved: true);
        }

        if (_fetching is null)
        {
            Fetch(step);
        }

        return Finish(step, nowMs, moved: false);
    }

    /// <summary>
    /// The store answered the fetch: <paramref name="entries"/> are the messages after the asked offset that it holds.
    /// What it could not give becomes a gap; what is held then follows.
    /// </summary>
    public SequencerStep<T> Filled(string epoch, IReadOnlyList<(long Offset, T Item)> entries, long nowMs)
    {
        var step = new SequencerStep<T>();
        if (_fetching is not { } asked)
        {
            return step;
        }

        _fetching = null;
        if (epoch != Epoch)
        {
            return Finish(step, nowMs, moved: false); // the stream restarted meanwhile (that was a gap already)
        }

        var before = Through;
        foreach (var (offset, item) in entries)
        {
            if (offset == Through + 1)
            {
                step.Add(SequencedKind.Message, offset, item);
                Through++;
            }
        }

        var complete = Through >= asked.After + asked.Count; // live arrivals may have filled part of the hole meanwhile
        DrainHeld(step);
        if (_held.Count > 0 && complete)
        {
            Fetch(step); // more missing than one read asks for
        }
        else if (_held.Count > 0)
        {
            SkipToHeld(step);
        }

        return Finish(step, nowMs, moved: Through != before);
    }

    /// <summary>The store could not be read: the missing messages are a gap.</summary>
    public SequencerStep<T> FillFailed(long nowMs)
    {
        var step = new SequencerStep<T>();
        if (_fetching is null)
        {
            return step;
        }

        _fetching = null;
        if (_held.Count > 0)
        {
            SkipToHeld(step);
        }

        return Finish(step, nowMs, moved: true);
    }

    private void SeedFromHeld(SequencerStep<T> step)
    {
        IsSeeded = true;
        Epoch = _heldEpoch;
        Through = SeedThrough = _held.Keys.First() - 1;
        DrainHeld(step);
    }

    private void SkipToHeld(SequencerStep<T> step)
    {
        step.Add(SequencedKind.Gap, 0, default!);
        Through = _held.Keys.First() - 1;
        DrainHeld(step);
    }

    private void Fetch(SequencerStep<T> step)
    {
        var count = (int)Math.Min(MaxFetch, _held.Keys.First() - Through - 1);
        _fetching = (Through, count);
        step.Fetch = (Epoch!, Through, count);
    }

    private void DrainHeld(SequencerStep<T> step)
    {
        while (_held.Remove(Through + 1, out var next))
        {
            Through++;
            step.Add(SequencedKind.Message, Through, next);
        }
    }

    /// <summary>Sets the wait: none when nothing is held, a new one when the feed moved (a new hole), and asks the store early when too much is held.</summary>
    private SequencerStep<T> Finish(SequencerStep<T> step, long nowMs, bool moved)
    {
        if (_held.Count == 0)
        {
            _deadline = null;
        }
        else if (moved || _deadline is null)
        {
            _deadline = nowMs + _windowMs;
        }

        if (IsSeeded && _held.Count > _maxHeld && _fetching is null && step.Fetch is null)
        {
            Fetch(step);
        }

        step.WakeAtMs = _fetching is null ? _deadline : null;
        return step;
    }
}

internal enum SequencedKind : byte
{
    /// <summary>The next message, in order.</summary>
    Message,

    /// <summary>Messages were lost before what follows: the channels' clients must recover.</summary>
    Gap,
}

/// <summary>What one input to a <see cref="TopicSequencer{T}"/> produced: items to hand on (in order), a store read to start, when to tick next.</summary>
internal sealed class SequencerStep<T>
{
    private List<(SequencedKind Kind, long Offset, T Item)>? _output;

    public IReadOnlyList<(SequencedKind Kind, long Offset, T Item)> Output => _output ?? (IReadOnlyList<(SequencedKind, long, T)>)[];

    /// <summary>Read the entries after this offset of this epoch, this many, and report them with <see cref="TopicSequencer{T}.Filled"/>.</summary>
    public (string Epoch, long After, int Count)? Fetch { get; set; }

    /// <summary>Call <see cref="TopicSequencer{T}.Tick"/> at this time (Unix ms); null: no wait pending.</summary>
    public long? WakeAtMs { get; set; }

    public void Add(SequencedKind kind, long offset, T item) => (_output ??= []).Add((kind, offset, item));
}
