namespace Platform.Data.Entities;

/// <summary>One health sample (raw) or an hourly roll-up of samples (hour) of an agent container.</summary>
public class ContainerHealth
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid? AgentId { get; set; }
    public string ContainerId { get; set; } = string.Empty;
    public HealthStatus Status { get; set; }
    public double CpuPercent { get; set; }
    public double MemoryMb { get; set; }
    public double? MemoryLimitMb { get; set; }
    public int RestartCount { get; set; }

    /// <summary>Raw samples folded into this row: 1 for raw rows.</summary>
    public int SampleCount { get; set; } = 1;

    public HealthResolution Resolution { get; set; } = HealthResolution.Raw;
    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>Raw container health samples or hourly roll-ups. Stored as text ('raw', 'hour'), deliberately not a PostgreSQL enum type.</summary>
public enum HealthResolution { Raw, Hour }
