using Platform.Runtime.Docker;

namespace Platform.Runtime.Tests;

/// <summary>The engine's log timestamps carry nanoseconds, more than .NET parses.</summary>
public sealed class LogTimestampsTests
{
    [Theory]
    [InlineData("2026-12-04T11:49:52.710891996Z", 639_319_817_927_108_919L)]
    [InlineData("2026-12-04T11:49:52Z", 639_319_817_920_000_000L)]
    [InlineData("2026-12-04T11:49:52.5+01:00", 639_319_781_925_000_000L)]
    public void Log_timestamps_with_nanoseconds_parse_to_the_tick(string text, long utcTicks)
    {
        Assert.True(LogTimestamps.TryParse(text, out var timestamp));
        Assert.Equal(utcTicks, timestamp.UtcTicks);
    }
}
