using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>
/// Checks a text message's UTF-8 one fragment at a time, so that invalid text fails as soon as the fragment carrying it
/// arrives (RFC 6455 §8.1) instead of after the whole message was buffered. A code point may be split between fragments:
/// the validator carries its first bytes (at most three) to the next fragment, and rejects them at once when they can no
/// longer start a valid code point (e.g. F4 90, beyond U+10FFFF).
/// </summary>
internal struct Utf8Validator
{
    /// <summary>The first bytes of a code point whose remaining bytes are in the next fragment, packed little-end first.</summary>
    private uint _carried;

    /// <summary>How many bytes <see cref="_carried"/> holds (0–3); 0 at a code point boundary.</summary>
    private int _carriedLength;

    /// <summary>Whether everything so far ends at a code point boundary (required at the end of a message).</summary>
    public readonly bool AtBoundary => _carriedLength == 0;

    /// <summary>Validates the next fragment; false as soon as the text so far cannot be valid UTF-8.</summary>
    public bool Append(ReadOnlySpan<byte> fragment)
    {
        if (_carriedLength > 0)
        {
            Span<byte> joined = stackalloc byte[4];
            for (var i = 0; i < _carriedLength; i++)
            {
                joined[i] = (byte)(_carried >> (8 * i));
            }

            var taken = Math.Min(4 - _carriedLength, fragment.Length);
            fragment[..taken].CopyTo(joined[_carriedLength..]);
            var available = _carriedLength + taken;
            var status = Rune.DecodeFromUtf8(joined[..available], out _, out var consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                Carry(joined[..available]); // still unfinished, and this fragment was shorter than what it needs
                return true;
            }

            if (status != OperationStatus.Done)
            {
                return false;
            }

            fragment = fragment[(consumed - _carriedLength)..];
            _carriedLength = 0;
        }

        if (Utf8.IsValid(fragment))
        {
            return true;
        }

        // Invalid as a whole: acceptable only if an unfinished but so far valid code point ends the fragment.
        for (var tail = 1; tail <= Math.Min(3, fragment.Length); tail++)
        {
            if (Rune.DecodeFromUtf8(fragment[^tail..], out _, out _) == OperationStatus.NeedMoreData && Utf8.IsValid(fragment[..^tail]))
            {
                Carry(fragment[^tail..]);
                return true;
            }
        }

        return false;
    }

    public void Reset() => _carriedLength = 0;

    private void Carry(ReadOnlySpan<byte> bytes)
    {
        _carried = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            _carried |= (uint)bytes[i] << (8 * i);
        }

        _carriedLength = bytes.Length;
    }
}
