using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Platform.Worker.HealthChecks;
using Platform.Worker.Jobs;

namespace Platform.Worker.Archival;

public static class ArchiveSetup
{
    /// <summary>The archive's <see cref="IAmazonS3"/> is a keyed service, so another S3 client in the Worker cannot collide with it.</summary>
    public const string S3ClientKey = "audit-archive";

    public const string VerifyCommand = "verify-archive";

    public const string RecurringJobId = "audit-archival";

    public const string RetentionJobId = "audit-archive-retention";

    /// <summary>
    /// Registers the options (section <c>Archive</c>, validated at start), the S3 client, the archiver and archive retention
    /// jobs, the verifier, the lifecycle rule set at start-up and the <c>s3</c> health check (Degraded, never Unhealthy,
    /// when the bucket cannot be reached).
    /// </summary>
    public static IHostApplicationBuilder AddAuditArchival(this IHostApplicationBuilder builder)
    {
        AddArchiveStorage(builder.Services);
        builder.Services.TryAddSingleton<JobAudit>();
        builder.Services.TryAddTransient<AuditArchiver>();
        builder.Services.TryAddTransient<ArchiveRetentionJob>();
        builder.Services.AddHostedService<ArchiveLifecycleStartup>();
        builder.Services.AddHealthChecks().AddCheck<ArchiveHealthCheck>(
            "s3", HealthStatus.Degraded, [ServiceDefaultsExtensions.ReadyTag], HealthCheckBounds.OptionalDependencyTimeout);
        return builder;
    }

    private static void AddArchiveStorage(IServiceCollection services)
    {
        services.AddOptions<S3ArchiveOptions>()
            .BindConfiguration(S3ArchiveOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddKeyedSingleton<IAmazonS3>(S3ClientKey,
            (services, _) => ArchiveS3Client.Create(services.GetRequiredService<IOptions<S3ArchiveOptions>>().Value));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddTransient<ArchiveVerifier>();
    }

    /// <summary>
    /// Runs <c>verify-archive --tenant &lt;id|platform&gt; [configuration args]</c> when it is the first argument:
    /// returns the exit code (0 chain intact, 1 chain broken, 2 usage or configuration error, 3 the archive
    /// could not be read), or null when the arguments are not this command. Configuration comes from
    /// appsettings, the environment (<c>Archive__Bucket</c>, ...) and the remaining arguments
    /// (<c>--Archive:Bucket=...</c>).
    /// </summary>
    public static async Task<int?> TryRunCommandAsync(
        string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args[0] != VerifyCommand)
        {
            return null;
        }

        output ??= Console.Out;
        error ??= Console.Error;
        string? tenant = null;
        var hostArgs = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] is "--tenant" or "-t")
            {
                tenant = i + 1 < args.Length ? args[++i] : null;
            }
            else if (args[i].StartsWith("--tenant=", StringComparison.Ordinal))
            {
                tenant = args[i]["--tenant=".Length..];
            }
            else
            {
                hostArgs.Add(args[i]);
            }
        }

        if (!ArchiveKeys.TryParseTenant(tenant, out var label, out _))
        {
            await error.WriteLineAsync($"Usage: {VerifyCommand} --tenant <tenant id|{ArchiveKeys.PlatformTenant}> [--Archive:Bucket=...]");
            await error.WriteLineAsync(tenant is null ? "--tenant is required." : $"'{tenant}' is neither '{ArchiveKeys.PlatformTenant}' nor a tenant id.");
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [.. hostArgs],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        AddArchiveStorage(builder.Services);
        using var host = builder.Build();

        ArchiveVerifier verifier;
        try
        {
            _ = host.Services.GetRequiredService<IOptions<S3ArchiveOptions>>().Value;
            verifier = host.Services.GetRequiredService<ArchiveVerifier>();
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync($"Invalid archive configuration: {string.Join(" ", ex.Failures)}");
            return 2;
        }

        try
        {
            var result = await verifier.VerifyAsync(label, cancellationToken);
            result.WriteTo(output);
            return result.IsIntact ? 0 : 1;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            await error.WriteLineAsync($"Could not read the archive of {label}: {ex.Message}");
            return 3;
        }
    }
}
