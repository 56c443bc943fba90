namespace Platform.AppHost.Tests;

/// <summary>The path of this machine and CI: PostgreSQL and Redis from the installed binaries.</summary>
public sealed class LocalModeTests : IDisposable
{
    private readonly StateDirectory _state = new();

    [Fact]
    public async Task The_whole_app_starts_the_migrator_finishes_the_services_are_healthy_and_the_worker_s_job_commands_run()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await AppHostRun.StartAsync(
            ["Infrastructure:Mode=local", $"Infrastructure:StateDirectory={_state.Path}"], ct);

        await AppHostRun.AssertWholeAppHealthyAsync(app, ct);
        await WorkerCommandRuns.AssertEachJobCommandSucceedsAsync(app, ct);
    }

    public void Dispose() => _state.Dispose();
}
