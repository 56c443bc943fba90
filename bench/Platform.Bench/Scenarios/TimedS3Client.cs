using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Amazon.S3;

namespace Platform.Bench.Scenarios;

/// <summary>An <see cref="IAmazonS3"/> that forwards every call and adds up, per operation, the time until its task completes.</summary>
public class TimedS3Client : DispatchProxy
{
    private readonly ConcurrentDictionary<string, (int Calls, double Ms)> _calls = new();
    private IAmazonS3 _target = null!;

    public double TotalSeconds => _calls.Values.Sum(c => c.Ms) / 1000;

    /// <summary>The proxy, as the client the code under test is given, and its timer, for the figures.</summary>
    public static (IAmazonS3 Client, TimedS3Client Timer) Wrap(IAmazonS3 target)
    {
        var proxy = Create<IAmazonS3, TimedS3Client>();
        var timer = (TimedS3Client)(object)proxy;
        timer._target = target;
        return (proxy, timer);
    }

    public string Describe() => string.Join(", ", _calls.OrderByDescending(c => c.Value.Ms)
        .Select(c => $"{c.Key.Replace("Async", "", StringComparison.Ordinal)} {c.Value.Calls}× {(c.Value.Ms / 1000).ToString("0.0", CultureInfo.InvariantCulture)} s"));

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var watch = Stopwatch.StartNew();
        object? result;
        try
        {
            result = targetMethod.Invoke(_target, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        if (result is Task task && targetMethod.Name.EndsWith("Async", StringComparison.Ordinal))
        {
            _ = task.ContinueWith(_ => Record(targetMethod.Name, watch.Elapsed), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return result;
    }

    private void Record(string name, TimeSpan elapsed) =>
        _calls.AddOrUpdate(name, (1, elapsed.TotalMilliseconds), (_, c) => (c.Calls + 1, c.Ms + elapsed.TotalMilliseconds));
}
