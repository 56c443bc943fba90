using System.Globalization;

namespace Platform.Runtime.Docker;

/// <summary>The engine's log timestamps (RFC 3339 with up to nine fractional digits, more than .NET parses), both ways.</summary>
internal static class LogTimestamps
{
    private const int MaxFractionDigits = 7;

    /// <summary>Parses a log line's timestamp, to the tick, as UTC.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset timestamp)
    {
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        var dot = text.IndexOf('.');
        if (dot < 0)
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out timestamp);
        }

        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        // Ticks are 100 ns: the digits beyond the seventh are dropped.
        var digits = Math.Min(end - dot - 1, MaxFractionDigits);
        var trimmed = string.Concat(text[..(dot + 1 + digits)], text[end..]);
        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, styles, out timestamp);
    }

    /// <summary>The logs API's <c>since</c>: seconds since the epoch with nanoseconds.</summary>
    public static string UnixSeconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{rest * 100:D9}");
    }
}
