using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Platform.Bench.Scenarios;

/// <summary>
/// Records how long each statement of a DbContext took, as EF Core measures it: for a non-query the
/// execution, for a query the time until its reader is disposed (so a streamed read includes the
/// work done per row). Each statement is put in a bucket by <c>classify</c> (null = not recorded).
/// </summary>
internal sealed class EfStatementTimer(Func<string, string?> classify) : DbCommandInterceptor
{
    private readonly ConcurrentQueue<(string Kind, double Ms)> _entries = new();

    public IReadOnlyList<double> Durations(string kind) => [.. _entries.Where(e => e.Kind == kind).Select(e => e.Ms)];

    public double TotalSeconds(string kind) => _entries.Where(e => e.Kind == kind).Sum(e => e.Ms) / 1000;

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Record(command, eventData.Duration);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Record(command, eventData.Duration);
        return result;
    }

    private void Record(DbCommand command, TimeSpan duration)
    {
        if (classify(command.CommandText) is { } kind)
        {
            _entries.Enqueue((kind, duration.TotalMilliseconds));
        }
    }
}
