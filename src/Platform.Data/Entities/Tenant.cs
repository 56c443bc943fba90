namespace Platform.Data.Entities;

public class Tenant
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string CompanyName { get; set; } = string.Empty;
    public string AdminEmail { get; set; } = string.Empty;
    public TenantStatus Status { get; set; } = TenantStatus.Provisioning;
    public TenantPlan Plan { get; set; } = TenantPlan.Starter;
    public ModelDefaults ModelDefaults { get; set; } = new();
    public ResourceLimits ResourceLimits { get; set; } = new();
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<User> Users { get; set; } = [];
    public List<Agent> Agents { get; set; } = [];
}
