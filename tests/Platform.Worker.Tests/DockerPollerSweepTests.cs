using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Data.Entities;
using Platform.Worker.Containers;

namespace Platform.Worker.Tests;

/// <summary>The poller's sweep: an engine that does not answer, one worker per scope, one batch per sweep.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerPollerSweepTests(WorkerFixture fixture, DockerEngineFixture engine)
{
    [Fact]
    public async Task An_unreachable_engine_raises_one_platform_alert_the_loop_survives_and_it_resolves_when_the_engine_answers()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        var fingerprint = AlertRules.DockerUnreachableFingerprint(scope);
        var dead = engine.Options(scope, o => o.Endpoint = $"unix:///tmp/no-docker-{Guid.NewGuid():N}.sock");

        var poller = engine.Poller(fixture, dead);
        var first = await poller.PollOnceAsync(ct);
        var second = await poller.PollOnceAsync(ct);
        Assert.False(first.Reachable);
        Assert.False(second.Reachable);
        Assert.Equal(1, first.AlertsOpened);
        Assert.Equal(0, second.AlertsOpened);

        var alert = Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.Fingerprint == fingerprint), ct));
        Assert.Equal(AlertRules.DockerUnreachable, alert.Kind);
        Assert.Null(alert.TenantId);
        Assert.Null(alert.AgentId);
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.Null(alert.ResolvedAt);

        // The background loop keeps going (with backoff) and never opens a second alert.
        var looping = engine.Poller(fixture, dead);
        await looping.StartAsync(ct);
        try
        {
            await DockerEngineFixture.WaitAsync(() => Task.FromResult(looping.Iterations >= 3), "three poll iterations", ct);
            Assert.False(looping.ExecuteTask!.IsCompleted);
            Assert.False(looping.LastResult!.Reachable);
        }
        finally
        {
            await looping.StopAsync(CancellationToken.None);
        }

        Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.Fingerprint == fingerprint), ct));

        // Pointed back at the engine: resolved.
        var live = await engine.Poller(fixture, engine.Options(scope)).PollOnceAsync(ct);
        Assert.True(live.Reachable, live.Error);
        alert = Assert.Single(await DockerTestData.AlertsAsync(fixture, q => q.Where(a => a.Fingerprint == fingerprint), ct));
        Assert.NotNull(alert.ResolvedAt);
    }

    [Fact]
    public async Task Only_one_worker_sweeps_a_scope_at_a_time()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = engine.NewScope();
        try
        {
            var (tenantId, agentId) = await DockerTestData.TenantWithAgentAsync(fixture, AgentStatus.Active, ct);
            await engine.RunAgentContainerAsync(scope, tenantId, agentId, healthCheck: false, ct);
            var poller = engine.Poller(fixture, engine.Options(scope));

            // Another worker is in the middle of a sweep of this scope.
            await using (var other = new NpgsqlConnection(fixture.Database.AppConnectionString))
            {
                await other.OpenAsync(ct);
                await using var take = new NpgsqlCommand($"SELECT pg_advisory_lock({DockerPoller.LockKey(scope)})", other);
                await take.ExecuteNonQueryAsync(ct);

                var skipped = await poller.PollOnceAsync(ct);
                Assert.True(skipped.Skipped);
                Assert.Equal(0, skipped.Samples);

                // A session lock outlives Close on a pooled connection: release it as the poller does.
                await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({DockerPoller.LockKey(scope)})", other);
                await release.ExecuteNonQueryAsync(ct);
            }

            var swept = await poller.PollOnceAsync(ct);
            Assert.False(swept.Skipped);
            Assert.Equal(1, swept.Samples);
            await using var db = fixture.Database.CreateOwnerContext();
            Assert.Equal(1, await db.ContainerHealth.CountAsync(h => h.AgentId == agentId, ct));
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }

    [Fact]
    public async Task One_sweep_samples_every_container_of_the_scope_in_one_batch()
    {
        engine.Require();
        var ct = TestContext.Current.CancellationToken;
        // PLATFORM_SWEEP_CONTAINERS=100 measures a bigger sweep (the output has the timings).
        var count = int.TryParse(Environment.GetEnvironmentVariable("PLATFORM_SWEEP_CONTAINERS"), out var n) && n > 0 ? n : 16;
        var scope = engine.NewScope();
        try
        {
            var tenantId = await fixture.Database.CreateTenantAsync();
            var containers = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var agentId = await DockerTestData.AddAgentAsync(fixture, tenantId, AgentStatus.Active, ct);
                containers.Add(await engine.RunAgentContainerAsync(scope, tenantId, agentId, healthCheck: false, ct));
            }

            var poller = engine.Poller(fixture, engine.Options(scope, o => o.MaxParallelism = 8));
            var warmUp = await poller.PollOnceAsync(ct);
            Assert.Equal(count, warmUp.Samples);

            var watch = Stopwatch.StartNew();
            var sweep = await poller.PollOnceAsync(ct);
            watch.Stop();
            Assert.Equal(count, sweep.Containers);
            Assert.Equal(count, sweep.Samples);
            Assert.Equal(0, sweep.AlertsOpened);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"sweep took {watch.Elapsed}");

            var wide = await engine.Poller(fixture, engine.Options(scope, o => o.MaxParallelism = 32)).PollOnceAsync(ct);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"Docker poll sweep of {count} containers: {sweep.Elapsed.TotalMilliseconds:0} ms at parallelism 8, {wide.Elapsed.TotalMilliseconds:0} ms at 32");

            await using var db = fixture.Database.CreateOwnerContext();
            var samples = await db.ContainerHealth.AsNoTracking().Where(h => h.TenantId == tenantId).ToListAsync(ct);
            Assert.Equal(3 * count, samples.Count);
            // One batch: every sample of a sweep carries the sweep's timestamp.
            Assert.Equal(3, samples.Select(s => s.RecordedAt).Distinct().Count());
            Assert.All(samples, s => Assert.Equal(HealthStatus.Healthy, s.Status));
            Assert.All(samples, s => Assert.True(s.MemoryMb > 0 && s.MemoryMb < 64, $"memory {s.MemoryMb} MB"));
            Assert.All(samples, s => Assert.Equal(64, s.MemoryLimitMb));
        }
        finally
        {
            await engine.RemoveScopeAsync(scope);
        }
    }
}
