using StackExchange.Redis;

namespace Platform.Api.Redis;

public static class RedisSetup
{
    /// <summary>
    /// The Redis client as an accelerator: it never blocks the start, fails fast while disconnected instead of queueing
    /// commands, has no health check of its own that could mark the API unhealthy, and sits behind <see cref="RedisGate"/>.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformRedis(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RedisGateOptions>().BindConfiguration(RedisGateOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var gate = builder.Configuration.GetSection(RedisGateOptions.SectionName).Get<RedisGateOptions>() ?? new RedisGateOptions();
        builder.AddRedisClient("redis",
            settings =>
            {
                settings.DisableTracing = !builder.ExportsTelemetry();
                settings.DisableHealthChecks = true;
            },
            options =>
            {
                options.AbortOnConnectFail = false;
                options.BacklogPolicy = BacklogPolicy.FailFast;
                options.ConnectTimeout = gate.ConnectTimeoutMilliseconds;
                options.ConnectRetry = 1;

                // Replies complete on the thread pool directly, not via the client's own socket threads: one thread hop
                // less per call.
                options.SocketManager = SocketManager.ThreadPool;
            });
        // The client logs every failed reconnect (each second while Redis is down); the gate logs the outage and the
        // recovery once each, which is what an operator needs.
        builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Critical);
        builder.Services.AddSingleton<RedisGate>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RedisGate>());
        builder.Services.AddHealthChecks().AddCheck<RedisGateHealthCheck>("redis", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }
}
