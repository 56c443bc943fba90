using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Platform.Bench.Soak;

/// <summary>
/// One agent per tenant created before the load and kept for the whole soak. With a Docker engine the
/// worker gives each a container, and the poller should sample each once per sweep; the churned agents
/// cannot show that, since deleting an agent deletes its health samples too.
/// </summary>
internal static class ResidentAgents
{
    public const string NameMarker = "-resident-";

    public static async Task<IReadOnlyList<Guid>> CreateAsync(IReadOnlyList<SoakTenant> tenants, Uri api, string runId)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var ids = new List<Guid>();
        foreach (var tenant in tenants)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "/api/v1/agents"))
            {
                Content = JsonContent.Create(new { name = $"soak-{runId}{NameMarker}{tenant.Number}", description = "kept for the whole soak", role = "custom" }),
            };
            request.Headers.Authorization = new("Bearer", tenant.Admin.AccessToken);
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST /api/v1/agents: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            ids.Add(json.RootElement.GetProperty("id").GetGuid());
        }

        return ids;
    }

    /// <summary>Waits until the worker has moved every resident agent out of provisioning; false when the time is up.</summary>
    public static async Task<bool> WaitProvisionedAsync(BenchEnvironment environment, IReadOnlyList<Guid> ids, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < within)
        {
            await using var connection = environment.OwnerConnection();
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM agents WHERE id = ANY(@ids) AND container_id IS NOT NULL AND status = 'active'", connection);
            command.Parameters.AddWithValue("ids", ids.ToArray());
            if ((long)(await command.ExecuteScalarAsync())! == ids.Count)
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        return false;
    }
}
