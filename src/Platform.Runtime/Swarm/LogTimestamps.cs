using System.Globalization;

namespace Platform.Runtime.Swarm;

/// <summary>The engine's log timestamps (RFC 3339 with up to nine fractional digits, more than .NET parses).</summary>
internal static class LogTimestamps
{
    private const int MaxFractionDigits = 7;

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset timestamp)
    {
        var dot = text.IndexOf('.');
        if (dot < 0)
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp);
        }

        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        // Ticks are 100 ns: the digits beyond the seventh are dropped.
        var digits = Math.Min(end - dot - 1, MaxFractionDigits);
        var trimmed = string.Concat(text[..(dot + 1 + digits)], text[end..]);
        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp);
    }
}
