using Platform.Runtime;

namespace Platform.Bench;

/// <summary>
/// One agent whose workload exists, behind a Release API configured with the same runtime and scope: a tenant signed
/// up through the API, the agent created through it, its workload created by the runtime and its row updated as the
/// owner, as tests/Platform.Api.Tests/AgentRuntimeTests sets one up (the worker's provisioner does that in production).
/// </summary>
internal sealed class P9Agent(ReleaseProcess api, HttpClient http, PlatformDatabase database, IAgentRuntime runtime, Guid id, string workload) : IAsyncDisposable
{
    public string Workload => workload;

    /// <summary>A scope of its own on the runtime, the holding image, and a short grace period (the image obeys SIGTERM anyway).</summary>
    public static RuntimeOptions Options(string backend, string endpoint) => new()
    {
        Backend = backend,
        Endpoint = endpoint,
        Scope = $"bench-p9-{backend}-{Guid.NewGuid().ToString("N")[..8]}",
        AgentImage = AgentImages.Holding,
        StopGracePeriodSeconds = 2,
    };

    public static async Task<P9Agent> StartAsync(BenchEnvironment environment, PlatformDatabase database, RuntimeOptions options, IAgentRuntime runtime, CancellationToken ct)
    {
        var api = await environment.StartApiOnAsync(database.AppConnectionString, new Dictionary<string, string>
        {
            ["Runtime__Backend"] = options.Backend,
            ["Runtime__Endpoint"] = options.Endpoint,
            ["Runtime__Scope"] = options.Scope,
            ["Runtime__AgentImage"] = options.AgentImage,
            ["Runtime__StopGracePeriodSeconds"] = options.StopGracePeriodSeconds.ToString(CultureInfo.InvariantCulture),

            // A wake protects nothing; the key ring stays unencrypted in this throwaway database.
            ["DataProtection__RequireCertificate"] = "false",
        });
        var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var signUp = new { companyName = "P9 " + options.Backend, name = "P9 admin", email = $"p9-{Guid.NewGuid():N}@bench.test", password = BenchData.Password };
        var session = await SeededData.PostAsync(http, new Uri(api.BaseAddress, "/api/v1/auth/signup"), signUp, ct: ct);
        var tenantId = session.GetProperty("user").GetProperty("tenantId").GetGuid();
        http.DefaultRequestHeaders.Authorization = new("Bearer", session.GetProperty("accessToken").GetString());
        var id = (await SeededData.PostAsync(http, new Uri(api.BaseAddress, "/api/v1/agents"), new { name = "P9 agent" }, ct: ct)).GetProperty("id").GetGuid();
        var workload = await runtime.CreateAsync(new AgentWorkloadSpec(id, tenantId, new Dictionary<string, string> { ["PLATFORM_AGENT_ID"] = id.ToString() }, 0.5m, 64), ct);
        await Sql.ExecuteAsync(database.OwnerConnectionString, "UPDATE agents SET status = 'active', container_id = @w, last_active_at = now() WHERE id = @a",
            new Dictionary<string, object> { ["w"] = workload, ["a"] = id });
        Console.WriteLine($"P9 {options.Backend}: agent {id}, workload {workload[..12]}, API {api.BaseAddress}");
        return new P9Agent(api, http, database, runtime, id, workload);
    }

    /// <summary>The row as the worker's hibernation sweep leaves it (the workload is put into the stage by the caller).</summary>
    public Task MarkIdleAsync(string stage, CancellationToken ct) => Sql.ExecuteAsync(database.OwnerConnectionString,
        "UPDATE agents SET status = 'idle', idle_stage = @s, idle_since = now(), idle_reason = 'bench', last_active_at = now() - interval '1 hour' WHERE id = @a",
        new Dictionary<string, object> { ["s"] = stage, ["a"] = id });

    /// <summary>POST /agents/{id}/wake; true when it answered 200 with the agent active.</summary>
    public async Task<bool> WakeAsync(CancellationToken ct)
    {
        using var response = await http.PostAsync($"/api/v1/agents/{id}/wake", null, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode == HttpStatusCode.OK) return JsonDocument.Parse(body).RootElement.GetProperty("status").GetString() == "active";

        Console.WriteLine($"P9: wake answered {(int)response.StatusCode}: {body}");
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        api.Stop();
        await runtime.RemoveAsync(workload, CancellationToken.None);
    }
}
