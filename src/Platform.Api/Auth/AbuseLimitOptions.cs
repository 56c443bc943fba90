using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Auth;

/// <summary>Per-minute limits of the anonymous endpoints (section <c>AbuseLimits</c>), counted in Redis across replicas.</summary>
public sealed class AbuseLimitOptions
{
    public const string SectionName = "AbuseLimits";

    [Range(1, 100_000)]
    public int SignupPerIp { get; set; } = 10;

    [Range(1, 100_000)]
    public int LoginPerIp { get; set; } = 30;

    [Range(1, 100_000)]
    public int LoginPerAccount { get; set; } = 10;

    [Range(1, 100_000)]
    public int RefreshPerIp { get; set; } = 120;

    [Range(1, 100_000)]
    public int InviteAcceptPerIp { get; set; } = 10;

    [Range(1, 100_000)]
    public int InviteAcceptPerToken { get; set; } = 5;
}
