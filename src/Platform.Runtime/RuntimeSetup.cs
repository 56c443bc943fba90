using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Runtime.Engine;
using Platform.Runtime.Swarm;

namespace Platform.Runtime;

public static class RuntimeSetup
{
    /// <summary>
    /// Section <c>Runtime</c> (validated at start) and the <see cref="IAgentRuntime"/> it names. A runtime that is
    /// configured but does not answer never stops the host: its calls throw <see cref="RuntimeUnavailableException"/>.
    /// </summary>
    public static IHostApplicationBuilder AddAgentRuntime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RuntimeOptions>().BindConfiguration(RuntimeOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RuntimeOptions>, RuntimeOptionsValidator>());
        builder.Services.AddSingleton<IAgentRuntime>(services =>
        {
            var options = services.GetRequiredService<IOptions<RuntimeOptions>>().Value;
            return options.BackendKind switch
            {
                RuntimeBackend.Engine => new EngineRuntime(options, services.GetRequiredService<ILogger<EngineRuntime>>()),
                RuntimeBackend.Swarm => new SwarmRuntime(options, services.GetRequiredService<ILogger<SwarmRuntime>>()),
                _ => new NoRuntime(),
            };
        });
        return builder;
    }
}
