using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The root sampler of every Platform service: a client call (a database command, a Redis command, an outgoing HTTP
/// request) that starts a trace of its own is background chatter (Hangfire's storage polling, a loop's look for work,
/// a cache poll) and is dropped; every other span that starts a trace is kept. Used under a
/// <see cref="ParentBasedSampler"/>, so whatever runs inside a request, a job run or a loop iteration that found work
/// follows its parent and stays in that trace. Deciding at the start costs nothing for a dropped span: the client
/// libraries build no tags for an activity nobody records.
/// </summary>
public sealed class BackgroundChatterSampler : Sampler
{
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    public BackgroundChatterSampler() => Description = nameof(BackgroundChatterSampler);

    /// <summary>The sampler the services install: parents decide for their children, this class for roots.</summary>
    public static Sampler ParentBased() => new ParentBasedSampler(new BackgroundChatterSampler());

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client ? Drop : Keep;
}
