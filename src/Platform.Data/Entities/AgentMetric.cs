namespace Platform.Data.Entities;

/// <summary>Counters of one agent over one period; upserted on (agent, period start, period length).</summary>
public class AgentMetric
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public DateTimeOffset PeriodStart { get; set; }
    public int PeriodMinutes { get; set; }
    public int TasksCompleted { get; set; }
    public int Messages { get; set; }
    public long TokensIn { get; set; }
    public long TokensOut { get; set; }
    public int Errors { get; set; }
    public double? AvgResponseMs { get; set; }
    public decimal CostUsd { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
