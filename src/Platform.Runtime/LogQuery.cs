namespace Platform.Runtime;

/// <summary>Which lines to read: the last <paramref name="Tail"/> (1–5,000), optionally only since a time, then optionally new ones.</summary>
public sealed record LogQuery(int Tail, DateTimeOffset? Since, bool Follow)
{
    public const int MaxTail = 5000;
}
