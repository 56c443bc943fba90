using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Platform.Tests.Support;
using Platform.Worker.Hangfire;
using Platform.Worker.Jobs;

namespace Platform.Worker.Tests;

/// <summary>
/// One worker process with a trigger key, shared by the trigger tests (none of them changes it), on a database of its
/// own: a worker's provisioner takes whatever tenant waits, and other tests' tenants must wait for their own.
/// </summary>
public sealed class TriggerableWorker(WorkerFixture fixture) : IAsyncLifetime
{
    public const string Key = "job-trigger-key-for-tests-0123456789-abcdefghij";

    internal WorkerProcess Process { get; private set; } = null!;

    public PlatformDatabase Database { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        var settings = WorkerProcess.Settings(Database, $"http://127.0.0.1:{ServerProcess.FreeTcpPort()}", "platform-audit");
        settings["Jobs__TriggerKey"] = Key;
        Process = await WorkerProcess.StartAsync(settings, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }
    }
}

/// <summary>
/// <c>POST /jobs/{name}/trigger</c>, what the AppHost's dashboard commands call: only with the key, and then Hangfire
/// has a run of the recurring job, seen through Hangfire's own monitoring API.
/// </summary>
public sealed class JobTriggerTests(TriggerableWorker worker) : IClassFixture<TriggerableWorker>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-the-key")]
    [InlineData(TriggerableWorker.Key + "x")]
    public async Task A_missing_or_wrong_key_is_401(string? key)
    {
        using var response = await TriggerAsync(RecurringJobs.InviteCleanup, key);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("invalid_trigger_key", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_right_key_enqueues_a_run_of_the_recurring_job()
    {
        using var response = await TriggerAsync(RecurringJobs.InviteCleanup, TriggerableWorker.Key);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("jobId").GetString()!;

        var details = HangfireStorage().GetMonitoringApi().JobDetails(jobId);
        Assert.NotNull(details);
        Assert.Equal($"\"{RecurringJobs.InviteCleanup}\"", details.Properties["RecurringJobId"]);
        Assert.Equal(nameof(CleanupJobs.InvitesAsync), details.Job.Method.Name);
    }

    [Fact]
    public async Task An_unknown_job_is_404_even_with_the_key()
    {
        using var response = await TriggerAsync("no-such-job", TriggerableWorker.Key);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("unknown_job", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Without_a_configured_key_there_is_no_trigger_endpoint()
    {
        await using var keyless = await WorkerProcess.StartAsync(
            WorkerProcess.Settings(worker.Database, $"http://127.0.0.1:{ServerProcess.FreeTcpPort()}", "platform-audit"), Ct);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{keyless.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/jobs/{RecurringJobs.InviteCleanup}/trigger");
        request.Headers.Add(JobTriggerApi.KeyHeader, TriggerableWorker.Key);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<HttpResponseMessage> TriggerAsync(string job, string? key)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{worker.Process.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/jobs/{job}/trigger");
        if (key is not null)
        {
            request.Headers.Add(JobTriggerApi.KeyHeader, key);
        }

        return await client.SendAsync(request, Ct);
    }

    private PostgreSqlStorage HangfireStorage()
    {
        var options = new PostgreSqlStorageOptions { SchemaName = HangfireSetup.Schema, PrepareSchemaIfNecessary = false };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(worker.Database.AppConnectionString, options), options);
    }
}
