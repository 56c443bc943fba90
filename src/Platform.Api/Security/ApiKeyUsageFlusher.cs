namespace Platform.Api.Security;

/// <summary>Flushes API-key usage every 30 s; a failed flush is logged and retried with the next batch.</summary>
public sealed class ApiKeyUsageFlusher(ApiKeyDirectory keys, ILogger<ApiKeyUsageFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await keys.FlushAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not record API key usage; will retry");
            }
        }
    }
}
