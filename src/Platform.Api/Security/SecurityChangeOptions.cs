using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Security;

/// <summary>Section <c>Security</c>: how quickly a change made on one replica (a revoked key or session) reaches the others.</summary>
public sealed class SecurityChangeOptions
{
    public const string SectionName = "Security";

    /// <summary>Every replica reads new security changes from PostgreSQL this often: the longest a revocation takes to reach it.</summary>
    [Range(100, 60_000)]
    public int ChangePollMilliseconds { get; set; } = 2000;

    public TimeSpan PollInterval => TimeSpan.FromMilliseconds(ChangePollMilliseconds);
}
