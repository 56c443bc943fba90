using System.Diagnostics;
using System.Globalization;

namespace Platform.Runtime.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SwarmTimingCollection
{
    public const string Name = "Swarm timings";
}

/// <summary>
/// Wall times of the swarm backend's lifecycle calls on this machine, printed for the bench (run alone, after the
/// other tests, so they do not share the two cores). The only assertions are the outcomes, never the times.
/// </summary>
[Collection(SwarmTimingCollection.Name)]
public sealed class SwarmTimingTests(SwarmFixture swarm, ITestOutputHelper output)
{
    private const int Rounds = 3;

    [Fact(Timeout = 180_000)]
    public async Task Create_scale_to_zero_and_wake_are_timed()
    {
        swarm.Require();
        var ct = TestContext.Current.CancellationToken;
        var scope = swarm.NewScope();
        using var runtime = swarm.Runtime(scope);
        var (create, stop, wake, recreate) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                var spec = SwarmFixture.Spec(Guid.NewGuid(), $"timed-{round}");
                var watch = Stopwatch.StartNew();
                var id = await runtime.CreateAsync(spec, ct);
                await SwarmFixture.WaitForAsync(async () => (await runtime.ListAsync(ct)).Single(w => w.Id == id).State == WorkloadState.Running, "running", ct);
                create.Add(watch.Elapsed.TotalMilliseconds);

                watch.Restart();
                await runtime.StopAsync(id, ct);
                stop.Add(watch.Elapsed.TotalMilliseconds);
                Assert.Empty(await swarm.TaskContainersAsync(id, ct));

                watch.Restart();
                await runtime.WakeAsync(id, ct);
                wake.Add(watch.Elapsed.TotalMilliseconds);
                Assert.Single(await swarm.TaskContainersAsync(id, ct));

                watch.Restart();
                await runtime.RecreateAsync(id, spec, ct);
                recreate.Add(watch.Elapsed.TotalMilliseconds);

                Assert.True(await runtime.RemoveAsync(id, ct));
            }
        }
        finally
        {
            await swarm.RemoveScopeAsync(scope);
        }

        output.WriteLine($"Swarm backend on this machine (single-node swarm, dockerd 20.10, {Environment.ProcessorCount} cores), {Rounds} rounds, ms:");
        output.WriteLine($"  create -> running (listed):      {Format(create)}");
        output.WriteLine($"  scale to 0 (StopAsync returns):  {Format(stop)}");
        output.WriteLine($"  wake from 0 (WakeAsync returns): {Format(wake)}");
        output.WriteLine($"  recreate (new task started):     {Format(recreate)}");
    }

    private static string Format(List<double> values) =>
        string.Join(", ", values.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))
        + $" (median {values.Order().ElementAt(values.Count / 2).ToString("0", CultureInfo.InvariantCulture)})";
}
