namespace Platform.AppHost.Tests;

/// <summary>A fresh local-mode state folder (PostgreSQL, Redis and S3 data), deleted afterwards.</summary>
internal sealed class StateDirectory : IDisposable
{
    private readonly DirectoryInfo _directory = Create();

    public string Path => _directory.FullName;

    // PostgreSQL runs as the 'postgres' user, which must be able to traverse the state folder.
    private static DirectoryInfo Create()
    {
        var directory = Directory.CreateTempSubdirectory("platform-apphost-");
        directory.UnixFileMode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return directory;
    }

    public void Dispose()
    {
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
