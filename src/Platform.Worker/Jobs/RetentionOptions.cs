using System.ComponentModel.DataAnnotations;

namespace Platform.Worker.Jobs;

/// <summary>Retention settings (section <c>Retention</c>); the defaults are the data-model spec's.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Rows per statement: short locks, flat memory.</summary>
    [Range(100, 100_000)]
    public int BatchSize { get; set; } = 5_000;

    [Range(1, 365)]
    public int RefreshTokenGraceDays { get; set; } = 1;

    [Range(1, 3650)]
    public int InviteRetentionDays { get; set; } = 30;

    [Range(1, 720)]
    public int RawHealthHours { get; set; } = 24;

    [Range(1, 3650)]
    public int HourlyHealthDays { get; set; } = 30;
}
