namespace Platform.AppHost.Tests;

/// <summary>The path of this machine and CI: PostgreSQL and Redis from the installed binaries.</summary>
public sealed class LocalModeTests : IDisposable
{
    private readonly DirectoryInfo _state = CreateStateDirectory();

    // PostgreSQL runs as the 'postgres' user, which must be able to traverse the state folder.
    private static DirectoryInfo CreateStateDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("platform-apphost-");
        directory.UnixFileMode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return directory;
    }

    [Fact]
    public async Task The_whole_app_starts_the_migrator_finishes_and_the_services_are_healthy()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await AppHostRun.StartAsync(
            ["Infrastructure:Mode=local", $"Infrastructure:StateDirectory={_state.FullName}"], ct);

        await AppHostRun.AssertWholeAppHealthyAsync(app, ct);
    }

    public void Dispose()
    {
        try
        {
            _state.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
