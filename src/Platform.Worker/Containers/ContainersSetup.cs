using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Platform.Worker.Health;

namespace Platform.Worker.Containers;

public static class ContainersSetup
{
    /// <summary>
    /// Agent containers: <see cref="DockerOptions"/> (section <c>Docker</c>, validated at start), the Docker
    /// poller, the provisioner and the <c>docker</c> health check. Needs <c>AddPlatformData</c> first.
    /// </summary>
    public static IHostApplicationBuilder AddAgentContainers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DockerOptions>()
            .BindConfiguration(DockerOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DockerOptions>, DockerOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.AddSingleton<DockerConnection>();
        builder.Services.AddSingleton<AlertStore>();
        builder.Services.AddSingleton<DockerPoller>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DockerPoller>());
        builder.Services.AddSingleton<ContainerProvisioner>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ContainerProvisioner>());

        builder.Services.AddHealthChecks().AddCheck<DockerHealthCheck>(
            "docker", HealthStatus.Degraded, [ServiceDefaultsExtensions.ReadyTag], HealthCheckBounds.OptionalDependencyTimeout);
        return builder;
    }
}
