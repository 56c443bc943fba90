namespace Platform.Api.Tests;

/// <summary>Rate-limit windows are calendar minutes: a test that starts late in one could split its counts across two.</summary>
internal static class RateLimitWindows
{
    /// <summary>Waits for the next window when less than <paramref name="room"/> (10 s unless given) is left of this one.</summary>
    public static async Task WaitForRoomAsync(TimeSpan? room = null)
    {
        var now = DateTime.UtcNow;
        if (now.Second >= 60 - (room ?? TimeSpan.FromSeconds(10)).TotalSeconds)
        {
            await Task.Delay(TimeSpan.FromSeconds(60 - now.Second) - TimeSpan.FromMilliseconds(now.Millisecond) + TimeSpan.FromMilliseconds(100), Http.Ct);
        }
    }
}
