using System.Globalization;
using System.Threading.RateLimiting;
using Platform.Api.Http;
using Platform.Api.Security;

namespace Platform.Api.RateLimiting;

/// <summary>
/// Per-tenant request limits by plan (starter 60, growth 600, enterprise 6,000 a minute, or the
/// tenant's resource_limits), counted in Redis so that every replica enforces one shared limit
/// (<see cref="TenantRequestBudget"/>).
/// </summary>
public static class RateLimitSetup
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddTenantRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<LocalWindowCounter>();
        services.AddSingleton<RedisWindowCounter>();
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (context.Items[TenantScopeMiddleware.TenantInfoItem] is not TenantInfo tenant)
                {
                    return RateLimitPartition.GetNoLimiter(string.Empty);
                }

                var limit = tenant.RequestsPerMinute;
                var counter = context.RequestServices.GetRequiredService<RedisWindowCounter>();
                return RateLimitPartition.Get($"tenant:{tenant.Id}:{limit}",
                    key => new TenantRateLimiter(new TenantRequestBudget(counter, $"tenant:{tenant.Id}", limit, Window), counter));
            });
            options.OnRejected = (context, cancellationToken) => new ValueTask(WriteRejectedAsync(context.HttpContext, context.Lease));
        });
        return services;
    }

    private static Task WriteRejectedAsync(HttpContext context, RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window;
        return Problems.WriteTooManyRequests(context, retryAfter);
    }

    public static void SetRetryAfter(HttpResponse response, TimeSpan retryAfter) =>
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
