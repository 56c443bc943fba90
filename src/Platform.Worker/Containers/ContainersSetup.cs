using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Platform.Runtime;
using Platform.Worker.HealthChecks;
using Platform.Worker.Hibernation;

namespace Platform.Worker.Containers;

public static class ContainersSetup
{
    /// <summary>
    /// Agent workloads: the agent runtime (<see cref="RuntimeSetup.AddAgentRuntime"/>, section <c>Runtime</c>), the
    /// worker's loop settings from the same section (<see cref="RuntimeLoopOptions"/>, validated at start), the poller,
    /// the provisioner, the hibernation sweep (section <c>Agents</c>) and the <c>runtime</c> health check. Needs
    /// <c>AddPlatformData</c> first.
    /// </summary>
    public static IHostApplicationBuilder AddAgentContainers(this IHostApplicationBuilder builder)
    {
        builder.AddAgentRuntime();
        builder.Services.AddOptions<RuntimeLoopOptions>()
            .BindConfiguration(RuntimeOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RuntimeLoopOptions>, RuntimeLoopOptionsValidator>());

        builder.Services.AddSingleton<AlertStore>();
        builder.Services.AddSingleton<DockerPoller>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DockerPoller>());
        builder.Services.AddSingleton<ContainerProvisioner>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ContainerProvisioner>());

        builder.Services.AddOptions<HibernationOptions>().BindConfiguration(HibernationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<HibernationSweep>();
        builder.Services.AddHostedService(services => services.GetRequiredService<HibernationSweep>());

        builder.Services.AddHealthChecks().AddCheck<RuntimeHealthCheck>(
            "runtime", HealthStatus.Degraded, [ServiceDefaultsExtensions.ReadyTag], HealthCheckBounds.OptionalDependencyTimeout);
        return builder;
    }
}
