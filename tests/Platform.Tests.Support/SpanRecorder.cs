using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Platform.Tests.Support;

/// <summary>
/// An exporter that keeps in memory what a host's tracing pipeline exports, added beside the host's own exporters, so
/// a test sees exactly what the service defaults' sampler lets through. The host must export telemetry at all:
/// give it an <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (a closed loopback port will do).
/// </summary>
public sealed class SpanRecorder : BaseExporter<Activity>
{
    private readonly List<Activity> _spans = [];

    public void AddTo(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(this)));

    public IReadOnlyList<Activity> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (_spans)
        {
            foreach (var span in batch)
            {
                _spans.Add(span);
            }
        }

        return ExportResult.Success;
    }

    /// <summary>A line per span, for failure messages.</summary>
    public static string Describe(IEnumerable<Activity> spans) => string.Join(Environment.NewLine, spans.Select(s =>
        $"{s.Source.Name} '{s.DisplayName}' {s.Kind} trace {s.TraceId} parent {(s.ParentSpanId == default ? "-" : s.ParentSpanId.ToString())}"));
}
