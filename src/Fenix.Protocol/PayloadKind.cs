namespace Fenix;

/// <summary>How a payload is carried: JSON text or opaque bytes (binary frames).</summary>
public enum PayloadKind : byte
{
    Json,
    Binary,
}
