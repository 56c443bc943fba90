using System.ComponentModel.DataAnnotations;

namespace Platform.Migrator;

/// <summary>Settings of the Migrator (section <c>Migrator</c>); secrets come from Aspire parameters.</summary>
public sealed class MigratorOptions
{
    public const string SectionName = "Migrator";

    /// <summary>The login role the API and the Worker connect as. It owns nothing.</summary>
    [Required, RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "AppRoleName must be a lower-case PostgreSQL identifier.")]
    public string AppRoleName { get; set; } = "platform_app";

    [Required, MinLength(16)]
    public string AppRolePassword { get; set; } = "";

    [Required, EmailAddress]
    public string PlatformAdminEmail { get; set; } = "";

    [Required, MinLength(12)]
    public string PlatformAdminPassword { get; set; } = "";

    /// <summary>Seeds the sample tenant (admin, member, three agents) besides the skills catalogue.</summary>
    public bool SeedSampleTenant { get; set; } = true;

    /// <summary>Password of the sample tenant's users; without it they get an unusable random one.</summary>
    [MinLength(12)]
    public string? SampleUserPassword { get; set; }

    /// <summary>How long to wait for PostgreSQL to accept connections before giving up.</summary>
    [Range(0, 600)]
    public int ConnectTimeoutSeconds { get; set; } = 60;
}
