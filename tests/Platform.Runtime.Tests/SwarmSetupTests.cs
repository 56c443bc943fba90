using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Runtime.Swarm;

namespace Platform.Runtime.Tests;

/// <summary><c>Runtime:Backend=swarm</c> is what a host gets from <see cref="RuntimeSetup.AddAgentRuntime"/>.</summary>
public sealed class SwarmSetupTests(SwarmFixture swarm)
{
    [Fact(Timeout = 60_000)]
    public async Task Runtime_backend_swarm_registers_the_swarm_runtime()
    {
        swarm.Require();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Runtime:Backend"] = "swarm",
            ["Runtime:Endpoint"] = swarm.Endpoint,
            ["Runtime:Scope"] = swarm.NewScope(),
        });
        builder.AddAgentRuntime();
        using var host = builder.Build();

        var runtime = host.Services.GetRequiredService<IAgentRuntime>();
        Assert.IsType<SwarmRuntime>(runtime);
        Assert.Equal((RuntimeBackend.Swarm, false, swarm.Endpoint), (runtime.Backend, runtime.CanFreeze, runtime.Endpoint));
        Assert.Equal(RuntimeBackend.Swarm, (await runtime.DescribeAsync(TestContext.Current.CancellationToken)).Backend);
    }
}
