using System.Diagnostics;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Data.Entities;
using Platform.Worker.Containers;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Platform.Worker.Tests;

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerEngineFixture>
{
    public const string Name = "Docker";
}

/// <summary>
/// The Docker engine of the tests (DOCKER_HOST, else /var/run/docker.sock) and the agent test image,
/// built once with scripts/build-agent-image.sh. Every test works in a scope of its own
/// (label <c>platform.scope</c>), so pollers and provisioners only see its containers; all
/// containers of this run are removed at the end.
/// </summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    public const string Image = "platform-local/agent-runtime:test";
    public static readonly string[] HealthCheckCommand = ["CMD-SHELL", "test -f /tmp/ok || exit 1"];

    private readonly string _runId = "wt-" + Guid.NewGuid().ToString("N")[..8];
    private int _scopes;
    private DockerClientConfiguration? _configuration;
    private DockerClient? _client;

    public string? Endpoint { get; private set; }

    /// <summary>Why there is no engine, or null when there is one.</summary>
    public string? Unavailable { get; private set; }

    public IDockerClient Client => _client ?? throw new InvalidOperationException(Unavailable ?? "No Docker engine.");

    public async ValueTask InitializeAsync()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var endpoint = string.IsNullOrWhiteSpace(host) ? DockerOptions.DefaultSocket : host;
        if (endpoint.StartsWith("unix://", StringComparison.Ordinal) && !File.Exists(endpoint["unix://".Length..]))
        {
            Unavailable = string.IsNullOrWhiteSpace(host)
                ? "No Docker engine: set DOCKER_HOST (scripts/docker-engine.sh start DIR prints it) or run /var/run/docker.sock."
                : $"No Docker engine: DOCKER_HOST={host} names no socket.";
            return;
        }

        Endpoint = endpoint;
        await RunScriptAsync("build-agent-image.sh");
        _configuration = new DockerClientConfiguration(new Uri(endpoint));
        _client = _configuration.CreateClient();
    }

    /// <summary>Skips the test without an engine, or fails it when PLATFORM_REQUIRE_DOCKER=1.</summary>
    public void Require()
    {
        if (Unavailable is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("PLATFORM_REQUIRE_DOCKER") == "1")
        {
            Assert.Fail(Unavailable);
        }

        Assert.Skip(Unavailable);
    }

    public string NewScope() => $"{_runId}-{Interlocked.Increment(ref _scopes)}";

    public DockerOptions Options(string scope, Action<DockerOptions>? configure = null)
    {
        var options = new DockerOptions
        {
            Endpoint = Endpoint ?? DockerOptions.DefaultSocket,
            Scope = scope,
            AgentImage = Image,
            ApiBaseUrl = "http://api.platform.test:8080",
            PollIntervalSeconds = 1,
            MaxBackoffSeconds = 4,
            ProvisionIntervalSeconds = 1,
            HealthCheck = HealthCheckCommand,
            HealthCheckIntervalSeconds = 1,
            HealthCheckTimeoutSeconds = 1,
            HealthCheckRetries = 1,
            RestartPolicy = "no",
        };
        configure?.Invoke(options);
        var validation = new DockerOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return options;
    }

    public static DockerConnection Connection(DockerOptions options) => new(MsOptions.Create(options));

    public static DockerPoller Poller(WorkerFixture database, DockerOptions options) =>
        new(Connection(options), database.AppOptions, new AlertStore(TimeProvider.System), NullLogger<DockerPoller>.Instance, TimeProvider.System);

    public static ContainerProvisioner Provisioner(WorkerFixture database, DockerOptions options, params Guid[] tenants) =>
        new(Connection(options), database.AppOptions, new AlertStore(TimeProvider.System), NullLogger<ContainerProvisioner>.Instance, TimeProvider.System)
        {
            OnlyTenants = tenants,
        };

    /// <summary>Creates and starts a labelled agent container (network none), as the provisioner would.</summary>
    public async Task<string> RunAgentContainerAsync(
        string scope, Guid tenantId, Guid agentId, bool healthCheck, CancellationToken cancellationToken, long memoryBytes = 64 * 1024 * 1024)
    {
        var created = await Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = Image,
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.AgentId] = agentId.ToString(),
                [ContainerLabels.TenantId] = tenantId.ToString(),
                [ContainerLabels.Scope] = scope,
            },
            Healthcheck = healthCheck
                ? new HealthConfig { Test = HealthCheckCommand, Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(1), Retries = 1 }
                : null,
            HostConfig = new HostConfig { NetworkMode = "none", Memory = memoryBytes },
        }, cancellationToken);
        await Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        return created.ID;
    }

    /// <summary>Runs a command in the container and waits for it to finish.</summary>
    public async Task ExecAsync(string containerId, CancellationToken cancellationToken, params string[] command)
    {
        var exec = await Client.Exec.ExecCreateContainerAsync(containerId, new ContainerExecCreateParameters { Cmd = command }, cancellationToken);
        await Client.Exec.StartContainerExecAsync(exec.ID, cancellationToken);
        await WaitAsync(async () => !(await Client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken)).Running,
            $"exec {string.Join(' ', command)} in {containerId}", cancellationToken);
    }

    public Task WaitForHealthAsync(string containerId, string status, CancellationToken cancellationToken) =>
        WaitAsync(async () => (await Client.Containers.InspectContainerAsync(containerId, cancellationToken)).State.Health?.Status == status,
            $"container {containerId} {status}", cancellationToken);

    public Task WaitForStateAsync(string containerId, string status, CancellationToken cancellationToken) =>
        WaitAsync(async () => (await Client.Containers.InspectContainerAsync(containerId, cancellationToken)).State.Status == status,
            $"container {containerId} {status}", cancellationToken);

    public async Task<ContainerInspectResponse?> TryInspectAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return await Client.Containers.InspectContainerAsync(containerId, cancellationToken);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IList<ContainerListResponse>> ContainersAsync(string scope, CancellationToken cancellationToken) =>
        await Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Scope}={scope}"] = true },
            },
        }, cancellationToken);

    /// <summary>Removes the containers (and networks) of a scope.</summary>
    public async Task RemoveScopeAsync(string scope)
    {
        if (_client is null)
        {
            return;
        }

        foreach (var container in await ContainersAsync(scope, CancellationToken.None))
        {
            await _client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }

        var networks = await _client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Scope}={scope}"] = true },
            },
        }, CancellationToken.None);
        foreach (var network in networks)
        {
            await _client.Networks.DeleteNetworkAsync(network.ID, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            // Everything this run left behind (a test that failed before its own clean-up).
            var all = await _client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ContainerLabels.Scope] = true } },
            }, CancellationToken.None);
            foreach (var container in all.Where(c => c.Labels.TryGetValue(ContainerLabels.Scope, out var s) && s.StartsWith(_runId, StringComparison.Ordinal)))
            {
                await _client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
            }

            _client.Dispose();
        }

        _configuration?.Dispose();
    }

    public static async Task WaitAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken, int timeoutSeconds = 30)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(timeoutSeconds))
            {
                Assert.Fail($"Timed out after {timeoutSeconds} s waiting for {what}.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task RunScriptAsync(string name)
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", name);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Platform.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Tenants and agents for the Docker tests, written as the database owner.</summary>
internal static class DockerTestData
{
    /// <summary>A new tenant (active) and its one agent, moved to <paramref name="status"/>.</summary>
    public static async Task<(Guid TenantId, Guid AgentId)> TenantWithAgentAsync(
        WorkerFixture fixture, AgentStatus status, CancellationToken cancellationToken)
    {
        var tenantId = await fixture.Database.CreateTenantAsync();
        await using var db = fixture.Database.CreateOwnerContext();
        var agent = await db.Agents.SingleAsync(a => a.TenantId == tenantId, cancellationToken);
        agent.Status = status;
        await db.SaveChangesAsync(cancellationToken);
        return (tenantId, agent.Id);
    }

    public static async Task<Guid> AddAgentAsync(WorkerFixture fixture, Guid tenantId, AgentStatus status, CancellationToken cancellationToken)
    {
        await using var db = fixture.Database.CreateOwnerContext();
        var now = DateTimeOffset.UtcNow;
        var agent = new Agent
        {
            TenantId = tenantId,
            Name = "agent-" + Guid.NewGuid().ToString("N")[..8],
            Role = AgentRole.Engineering,
            Status = status,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Agents.Add(agent);
        await db.SaveChangesAsync(cancellationToken);
        return agent.Id;
    }

    public static async Task SetAgentStatusAsync(WorkerFixture fixture, Guid agentId, AgentStatus status, CancellationToken cancellationToken)
    {
        await using var db = fixture.Database.CreateOwnerContext();
        await db.Agents.Where(a => a.Id == agentId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, status), cancellationToken);
    }

    public static async Task<Agent> AgentAsync(WorkerFixture fixture, Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = fixture.Database.CreateOwnerContext();
        return await db.Agents.AsNoTracking().SingleAsync(a => a.Id == agentId, cancellationToken);
    }

    public static async Task<List<Alert>> AlertsAsync(WorkerFixture fixture, Func<IQueryable<Alert>, IQueryable<Alert>> filter, CancellationToken cancellationToken)
    {
        await using var db = fixture.Database.CreateOwnerContext();
        return await filter(db.Alerts.AsNoTracking()).OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken);
    }
}
