using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Platform.Tests.Support;
using Platform.Worker.HealthChecks;

namespace Platform.Worker.Tests;

/// <summary>
/// /health as an orchestrator sees it, with real faults: a stopped Docker engine (the agent runtime) or an unreachable or hanging S3 is
/// Degraded (HTTP 200, the body names the check); only a missing PostgreSQL is Unhealthy (503). Each test runs the
/// worker as a process of its own on a database of its own.
/// </summary>
public sealed class WorkerHealthTests(WorkerFixture fixture, LocalS3Fixture s3) : IClassFixture<LocalS3Fixture>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    /// <summary>How long /health may take while Docker or S3 hang: their checks' bound, plus slack for a busy machine.</summary>
    private static readonly TimeSpan AnswerBound = HealthCheckBounds.OptionalDependencyTimeout + TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_its_Docker_engine_the_worker_is_degraded_not_unhealthy_and_healthy_again_when_it_is_back()
    {
        PrivateDockerEngine.Require();
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        await using var engine = await PrivateDockerEngine.StartAsync();
        var settings = Settings(database, s3.S3.ServiceUrl);
        settings["Runtime__Backend"] = "engine";
        settings["Runtime__Endpoint"] = engine.Endpoint;
        settings["Runtime__Scope"] = "health-" + Guid.NewGuid().ToString("N")[..8];
        settings["Runtime__PollIntervalSeconds"] = "1";
        settings["Runtime__MaxBackoffSeconds"] = "2";
        await using var worker = await WorkerProcess.StartAsync(settings, Ct);

        await worker.WaitForHealthAsync(h => h.StatusCode == HttpStatusCode.OK && h.Status == "Healthy", "200 Healthy with the engine up", Settle, Ct);

        await engine.StopAsync();
        var down = await worker.WaitForHealthAsync(h => h.CheckStatus("runtime") != "Healthy", "the runtime check to notice", Settle, Ct);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            // Every answer while the engine is down: 200, Degraded, and the runtime entry says why.
            AssertAnswer(down, HttpStatusCode.OK, "Degraded");
            Assert.Equal("Degraded", down.CheckStatus("runtime"));
            Assert.Contains($"unreachable at {engine.Endpoint}", down.CheckDescription("runtime"), StringComparison.Ordinal);
            Assert.True(down.Elapsed < AnswerBound, $"/health took {down.Elapsed.TotalSeconds:F1} s");
            await Task.Delay(500, Ct);
            down = await worker.HealthAsync(Ct);
        }

        await engine.StartAgainAsync();
        var back = await worker.WaitForHealthAsync(h => h.Status == "Healthy", "Healthy once the engine is back", Settle, Ct);
        Assert.Equal("Healthy", back.CheckStatus("runtime"));
    }

    [Fact]
    public async Task Without_S3_the_worker_is_degraded_and_healthy_again_when_S3_is_back()
    {
        var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
        await using var worker = await WorkerProcess.StartAsync(Settings(database, s3.S3.ServiceUrl), Ct);
        await worker.WaitForHealthAsync(
            h => h.StatusCode == HttpStatusCode.OK && h.CheckStatus("s3") == "Healthy", "200 with the s3 check passing", Settle, Ct);

        try
        {
            await s3.S3.StopAsync();
            var down = await worker.WaitForHealthAsync(h => h.CheckStatus("s3") != "Healthy", "the s3 check to notice", Settle, Ct);
            AssertAnswer(down, HttpStatusCode.OK, "Degraded");
            Assert.Equal("Degraded", down.CheckStatus("s3"));
            Assert.Contains(s3.S3.ServiceUrl, down.CheckDescription("s3"), StringComparison.Ordinal);
        }
        finally
        {
            await s3.S3.StartAgainAsync();
        }

        await worker.WaitForHealthAsync(h => h.CheckStatus("s3") == "Healthy", "the s3 check to pass again", Settle, Ct);
    }

    [Fact]
    public async Task Health_answers_degraded_within_its_bound_while_S3_hangs()
    {
        // Accepts connections and never answers: what a stuck load balancer or a half-dead server looks like.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                accepted.Add(await silent.AcceptTcpClientAsync(stop.Token));
            }
        }, CancellationToken.None);

        try
        {
            var database = await PlatformDatabase.CreateAsync(fixture.Postgres);
            await using var worker = await WorkerProcess.StartAsync(
                Settings(database, $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"), Ct);
            var health = await worker.WaitForHealthAsync(
                h => h.StatusCode == HttpStatusCode.OK && h.Status == "Degraded" && h.CheckStatus("s3") == "Degraded", "200 Degraded with S3 hanging", Settle, Ct);
            Assert.Contains("did not answer", health.CheckDescription("s3"), StringComparison.Ordinal);
            Assert.True(health.Elapsed < AnswerBound, $"/health took {health.Elapsed.TotalSeconds:F1} s while S3 hung");
        }
        finally
        {
            await stop.CancelAsync();
            await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
            accepted.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task The_worker_is_unhealthy_only_without_PostgreSQL()
    {
        var postgres = await LocalPostgres.StartAsync();
        var stopped = false;
        try
        {
            var database = await PlatformDatabase.CreateAsync(postgres);

            // Neither the agent runtime (a remote engine where nothing listens) nor S3 here: Degraded, and still 200.
            var settings = Settings(database, $"http://127.0.0.1:{ServerProcess.FreeTcpPort()}");
            var runtime = $"tcp://127.0.0.1:{ServerProcess.FreeTcpPort()}";
            settings["Runtime__Backend"] = "engine";
            settings["Runtime__Endpoint"] = runtime;
            settings["Runtime__AllowInsecure"] = "true";
            await using var worker = await WorkerProcess.StartAsync(settings, Ct);
            var degraded = await worker.WaitForHealthAsync(
                h => h.StatusCode == HttpStatusCode.OK && h.Status == "Degraded" && h.CheckStatus("s3") == "Degraded" && h.CheckStatus("runtime") == "Degraded",
                "200 Degraded without the runtime and S3", Settle, Ct);
            Assert.Contains($"unreachable at {runtime}", degraded.CheckDescription("runtime"), StringComparison.Ordinal);

            await postgres.DisposeAsync();
            stopped = true;
            var down = await worker.WaitForHealthAsync(h => h.StatusCode != HttpStatusCode.OK, "/health to fail without PostgreSQL", Settle, Ct);
            AssertAnswer(down, HttpStatusCode.ServiceUnavailable, "Unhealthy");
            Assert.Equal("Unhealthy", down.CheckStatus("hangfire"));
            Assert.Equal("Degraded", down.CheckStatus("runtime"));
            Assert.True(down.Elapsed < HealthCheckBounds.DefaultTimeout + TimeSpan.FromSeconds(5), $"/health took {down.Elapsed.TotalSeconds:F1} s without PostgreSQL");
            TestContext.Current.TestOutputHelper?.WriteLine($"/health without PostgreSQL: {down.Body}");
        }
        finally
        {
            if (!stopped)
            {
                await postgres.DisposeAsync();
            }
        }
    }

    private static void AssertAnswer(WorkerHealth health, HttpStatusCode statusCode, string status) =>
        Assert.True(health.StatusCode == statusCode && health.Status == status,
            $"expected {(int)statusCode} {status}, got {(int)health.StatusCode} {health.Body}");

    private static Dictionary<string, string> Settings(PlatformDatabase database, string s3ServiceUrl) =>
        WorkerProcess.Settings(database, s3ServiceUrl, "health-" + Guid.NewGuid().ToString("N")[..12]);
}
