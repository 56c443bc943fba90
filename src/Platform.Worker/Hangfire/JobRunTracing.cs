using System.Diagnostics;
using Hangfire.Server;

namespace Platform.Worker.Hangfire;

/// <summary>
/// A Hangfire server filter that gives each job run a span of its own, started before the job's method and ended after
/// it: the run's database commands and HTTP calls become its children, so one run is one trace (Hangfire has no
/// tracing of its own, and its storage polling around the run is dropped as background chatter).
/// </summary>
internal sealed class JobRunTracing : IServerFilter
{
    public const string SourceName = "Platform.Worker.Jobs";
    public const string JobIdTag = "job.id";
    public const string JobNameTag = "job.name";

    /// <summary>The parameter Hangfire sets on a run created from a recurring job.</summary>
    private const string RecurringJobIdParameter = "RecurringJobId";

    private static readonly ActivitySource Source = new(SourceName);
    private static readonly string ActivityItem = typeof(JobRunTracing).FullName!;

    public void OnPerforming(PerformingContext context)
    {
        var job = context.BackgroundJob;
        var name = context.GetJobParameter<string>(RecurringJobIdParameter, allowStale: true)
            ?? $"{job.Job.Type.Name}.{job.Job.Method.Name}";

        // A root: the run is its own trace whatever the worker thread did before (fetching it from the queue).
        var activity = Source.StartActivity(ActivityKind.Consumer, parentContext: default, name: $"job {name}");
        if (activity is null)
        {
            return;
        }

        activity.SetTag(JobNameTag, name);
        activity.SetTag(JobIdTag, job.Id);
        context.Items[ActivityItem] = activity;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (!context.Items.TryGetValue(ActivityItem, out var item) || item is not Activity activity)
        {
            return;
        }

        if (context.Exception is { } exception && !context.ExceptionHandled)
        {
            activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        }

        activity.Dispose();
    }
}
