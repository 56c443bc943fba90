using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Platform.Migrator;
using Platform.Tests.Support;

namespace Platform.Bench.Scenarios;

/// <summary>
/// A scenario's database that is seeded once and measured on copies: the template (migrated like PlatformDatabase.CreateAsync
/// does, but with pooling off so that no idle connection stays on it) or a file-level copy of it (CREATE DATABASE ... TEMPLATE),
/// so that each measurement starts from the same pages. Dropped when disposed.
/// </summary>
internal sealed class TemplateDatabase : IAsyncDisposable
{
    private readonly LocalPostgres _server;
    private readonly string _scenarioId;

    private TemplateDatabase(LocalPostgres server, string scenarioId, string name)
    {
        _server = server;
        _scenarioId = scenarioId;
        Name = name;
    }

    public string Name { get; }

    public string OwnerConnectionString => _server.ConnectionString(Name);

    public string AppConnectionString => _server.ConnectionString(Name, PlatformDatabase.AppRole, PlatformDatabase.AppRolePassword);

    public static async Task<TemplateDatabase> CreateTemplateAsync(LocalPostgres server, string scenarioId)
    {
        var database = new TemplateDatabase(server, scenarioId, $"{scenarioId.ToLowerInvariant()}_{Guid.NewGuid().ToString("N")[..12]}");
        await new PlatformMigrator(database.OwnerConnectionString + ";Pooling=false", PlatformDatabase.Options, NullLogger.Instance).RunAsync(CancellationToken.None);
        return database;
    }

    public async Task<TemplateDatabase> CopyAsync(string suffix)
    {
        var copy = new TemplateDatabase(_server, _scenarioId, $"{Name}_{suffix}_{Guid.NewGuid().ToString("N")[..6]}");
        var watch = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            // The template must have no session: this scenario's idle pooled connections to it are closed first.
            ScenarioDatabases.ClearPools(OwnerConnectionString, AppConnectionString);
            try
            {
                // FILE_COPY: the copy's files are the template's, not WAL-logged page by page.
                await Sql.ExecuteAsync(_server.ConnectionString(), $"CREATE DATABASE \"{copy.Name}\" TEMPLATE \"{Name}\" STRATEGY FILE_COPY");
                break;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 5)
            {
                var sessions = await Sql.ScalarAsync<string>(_server.ConnectionString(),
                    "SELECT coalesce(string_agg(pid || ' ' || coalesce(backend_type, '') || ' ' || coalesce(state, '') || ' ' || left(coalesce(query, ''), 80), '; '), '-') " +
                    "FROM pg_stat_activity WHERE datname = @name", new Dictionary<string, object> { ["name"] = Name });
                Console.WriteLine($"{_scenarioId} copy: the template is in use ({sessions}); retrying");
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }

        await Sql.ExecuteAsync(_server.ConnectionString(), "CHECKPOINT");
        Console.WriteLine($"{_scenarioId} copy {copy.Name} made in {watch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        return copy;
    }

    public async ValueTask DisposeAsync() => await ScenarioDatabases.DropAsync(_server, Name, OwnerConnectionString, AppConnectionString);
}
