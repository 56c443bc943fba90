using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;
using Platform.Tests.Support;
using Platform.Worker.Hangfire;
using Platform.Worker.Jobs;
using Platform.Worker.Tracing;

namespace Platform.Worker.Tests;

/// <summary>
/// What the worker's traces look like through the real telemetry pipeline (issue #19): idling, Hangfire's polling and
/// the loops' look-ups export no database span that starts a trace; a job run, and a loop's piece of work, is one trace
/// holding its database work. On a database of its own: this worker's provisioner takes whatever tenant waits.
/// </summary>
public sealed class WorkerTracingTests(WorkerFixture fixture)
{
    private const string NpgsqlSource = "Npgsql";
    private const string TriggerKey = "job-trigger-key-for-tracing-tests-0123456789";
    private static readonly TimeSpan Idling = TimeSpan.FromSeconds(6);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_idle_worker_exports_no_root_database_span_and_a_job_run_or_a_loop_s_work_is_one_trace()
    {
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        var settings = WorkerProcess.Settings(database, $"http://127.0.0.1:{ServerProcess.FreeTcpPort()}", "platform-audit");
        settings["Jobs__TriggerKey"] = TriggerKey;
        await using var worker = new InProcessWorker(settings);
        using var client = worker.Client();
        await WaitForHangfireAsync(client);

        // Longer than Hangfire's queue poll interval: its fetches ran meanwhile, and so did the loops' passes.
        await Task.Delay(Idling, Ct);
        var rootDatabaseSpans = worker.Spans.Spans.Where(s => s.Source.Name == NpgsqlSource && s.ParentSpanId == default).ToList();
        Assert.True(rootDatabaseSpans.Count == 0, "Root database spans while idle:\n" + SpanRecorder.Describe(rootDatabaseSpans));

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/jobs/{RecurringJobs.InviteCleanup}/trigger");
        request.Headers.Add(JobTriggerApi.KeyHeader, TriggerKey);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("jobId").GetString();

        var run = await WaitForSpanAsync(worker.Spans, s => s.Source.Name == JobRunTracing.SourceName && (string?)s.GetTagItem(JobRunTracing.JobIdTag) == jobId);
        Assert.Equal(default, run.ParentSpanId);
        Assert.Equal(RecurringJobs.InviteCleanup, run.GetTagItem(JobRunTracing.JobNameTag));

        var spans = worker.Spans.Spans;
        var runDatabaseSpans = spans.Where(s => s.Source.Name == NpgsqlSource && s.TraceId == run.TraceId).ToList();
        // The job's lock, its delete and its audit row at least, all in the run's trace.
        Assert.True(runDatabaseSpans.Count >= 3, "The run's trace:\n" + SpanRecorder.Describe(spans.Where(s => s.TraceId == run.TraceId)));
        Assert.All(runDatabaseSpans, s => Assert.NotEqual(default, s.ParentSpanId));

        // A loop's piece of work: the provisioner finds a tenant waiting and activates it, in a trace of its own.
        var tenantId = await database.CreateTenantAsync();
        await using (var owner = database.CreateOwnerContext())
        {
            await owner.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TenantStatus.Provisioning), Ct);
        }

        var provisioning = await WaitForSpanAsync(worker.Spans,
            s => s.Source.Name == LoopTracing.SourceName && (string?)s.GetTagItem(LoopTracing.TenantIdTag) == tenantId.ToString());
        Assert.Equal(default, provisioning.ParentSpanId);
        spans = worker.Spans.Spans;
        Assert.Contains(spans, s => s.Source.Name == NpgsqlSource && s.TraceId == provisioning.TraceId);

        rootDatabaseSpans = [.. spans.Where(s => s.Source.Name == NpgsqlSource && s.ParentSpanId == default)];
        Assert.True(rootDatabaseSpans.Count == 0, "Root database spans around the work:\n" + SpanRecorder.Describe(rootDatabaseSpans));
    }

    private static async Task WaitForHangfireAsync(HttpClient client)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync("/health", Ct);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            if (body.GetProperty("checks").TryGetProperty("hangfire", out var check) && check.GetProperty("status").GetString() == "Healthy")
            {
                return;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "The Hangfire server did not register: " + body);
            await Task.Delay(250, Ct);
        }
    }

    private static async Task<Activity> WaitForSpanAsync(SpanRecorder recorder, Func<Activity, bool> match)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var spans = recorder.Spans;
            if (spans.FirstOrDefault(match) is { } span)
            {
                return span;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "No such span; exported:\n" + SpanRecorder.Describe(spans));
            await Task.Delay(200, Ct);
        }
    }
}
