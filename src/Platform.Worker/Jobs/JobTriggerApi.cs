using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Platform.Worker.Jobs;

/// <summary>
/// <c>POST /jobs/{name}/trigger</c>: runs a recurring job now (Hangfire enqueues a run, as the dashboard's "Trigger now"
/// does), for the Aspire dashboard's commands, demos and support. Open only to a caller with the configured key; not
/// mapped at all when no key is configured.
/// </summary>
public static class JobTriggerApi
{
    public const string KeyHeader = "X-Job-Trigger-Key";

    public static IHostApplicationBuilder AddJobTriggers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobTriggerOptions>().BindConfiguration(JobTriggerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }

    public static WebApplication MapJobTriggers(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<JobTriggerOptions>>().Value.TriggerKey is not { Length: > 0 } configured)
        {
            return app;
        }

        var key = new JobTriggerKey(configured);
        app.MapPost("/jobs/{name}/trigger", Trigger)
            .AllowAnonymous()
            .AddEndpointFilter(async (context, next) => key.Matches(context.HttpContext.Request.Headers[KeyHeader])
                ? await next(context)
                : TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid job trigger key is required.",
                    extensions: new Dictionary<string, object?> { ["code"] = "invalid_trigger_key" }));
        return app;
    }

    private static Results<Accepted<TriggeredJob>, ProblemHttpResult> Trigger(string name, IRecurringJobManagerV2 jobs)
    {
        var id = RecurringJobs.Ids.Contains(name, StringComparer.Ordinal) ? jobs.TriggerJob(name) : null;
        return id is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No recurring job is named '{name}'.",
                extensions: new Dictionary<string, object?> { ["code"] = "unknown_job" })
            : TypedResults.Accepted((string?)null, new TriggeredJob(name, id));
    }
}

/// <summary>The run a trigger enqueued: its Hangfire job id.</summary>
public sealed record TriggeredJob(string Name, string JobId);
