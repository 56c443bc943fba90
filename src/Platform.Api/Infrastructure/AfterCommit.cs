namespace Platform.Api.Infrastructure;

/// <summary>
/// Runs what follows a committed write (cache eviction, a Redis publish). The write stands whatever happens here, so a
/// failure is logged and never turns the committed write into an error answer: the client would retry a write that
/// already happened.
/// </summary>
public sealed partial class AfterCommit(ILogger<AfterCommit> logger)
{
    public async Task RunAsync(string what, Func<Task> effect)
    {
        try
        {
            await effect();
        }
        catch (Exception ex)
        {
            LogFailed(logger, what, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "After a committed write, {What} failed; the write stands")]
    private static partial void LogFailed(ILogger logger, string what, Exception exception);
}
