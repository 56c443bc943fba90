using System.Diagnostics;

namespace Platform.Worker.Tracing;

/// <summary>
/// Traces of the worker's loops (poller, provisioner, reconciler, hibernation sweep). A loop's look for work is
/// background chatter: its database commands start no trace (the service defaults' sampler drops them). Once it has
/// found work (a tenant or agent to provision, a workload to change, workloads to observe) that work is a trace of its
/// own, holding the commands and runtime calls it makes.
/// </summary>
internal static class LoopTracing
{
    public const string SourceName = "Platform.Worker.Loops";
    public const string TenantIdTag = "tenant.id";
    public const string AgentIdTag = "agent.id";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the trace of one piece of work; null when nobody listens. Dispose it when the work is done.</summary>
    public static Activity? StartWork(string name, Guid? tenantId = null, Guid? agentId = null)
    {
        // A root whatever is current: the work is its own trace, not part of the pass that found it.
        var span = Source.StartActivity(ActivityKind.Internal, parentContext: default, name: name);
        if (span is { IsAllDataRequested: true })
        {
            if (tenantId is { } tenant)
            {
                span.SetTag(TenantIdTag, tenant.ToString());
            }

            if (agentId is { } agent)
            {
                span.SetTag(AgentIdTag, agent.ToString());
            }
        }

        return span;
    }

    /// <summary>Marks the work failed, with the failure's type (messages may carry details not meant for traces).</summary>
    public static void Failed(this Activity? span, Exception exception) => span?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
}
