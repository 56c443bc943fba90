using StackExchange.Redis;

namespace Platform.Api.Security;

/// <summary>
/// Evicts cached tenants and API keys on every API replica through one Redis channel. If Redis is
/// down the local eviction still happens and the caches' short TTLs bound what other replicas see.
/// </summary>
public sealed class CacheInvalidation(
    IConnectionMultiplexer redis, TenantDirectory tenants, ApiKeyDirectory apiKeys, ILogger<CacheInvalidation> logger)
    : IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("platform:cache-invalidation");

    public async Task TenantChangedAsync(Guid tenantId)
    {
        tenants.Evict(tenantId);
        await PublishAsync("tenant:" + tenantId);
    }

    public async Task ApiKeyChangedAsync(string prefix)
    {
        apiKeys.Evict(prefix);
        await PublishAsync("apikey:" + prefix);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(Channel, (_, message) => Apply(message.ToString()));
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Cache invalidation is not subscribed; cached tenants and keys expire by TTL only");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Apply(string message)
    {
        if (message.StartsWith("tenant:", StringComparison.Ordinal) && Guid.TryParse(message.AsSpan(7), out var tenantId))
        {
            tenants.Evict(tenantId);
        }
        else if (message.StartsWith("apikey:", StringComparison.Ordinal))
        {
            apiKeys.Evict(message[7..]);
        }
    }

    private async Task PublishAsync(string message)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, message);
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Could not publish cache invalidation {Message}", message);
        }
    }
}
