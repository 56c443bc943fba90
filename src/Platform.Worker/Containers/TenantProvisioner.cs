using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;
using Platform.Runtime;
using Platform.Worker.Tracing;

namespace Platform.Worker.Containers;

/// <summary>
/// Tenants in <c>provisioning</c> → <c>active</c> (with a network <c>platform-tenant-{id}</c> first when
/// <c>Runtime:NetworkPerTenant</c>), or <c>failed</c> with a <c>tenant_provisioning_failed</c> alert.
/// </summary>
internal sealed class TenantProvisioner(
    IAgentRuntime runtime,
    RuntimeOptions runtimeOptions,
    RuntimeLoopOptions options,
    DbContextOptions<PlatformDbContext> dbOptions,
    AlertStore alerts,
    ILogger logger,
    TimeProvider clock)
{
    public async Task<(int Activated, int Failed)> ProvisionAsync(Guid[] onlyTenants, CancellationToken cancellationToken)
    {
        int activated = 0, failed = 0;
        for (var i = 0; i < options.ProvisionBatchSize; i++)
        {
            await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var tenant = await ProvisioningClaims.NextTenantAsync(db, onlyTenants, cancellationToken);
            if (tenant is null)
            {
                break;
            }

            using var span = LoopTracing.StartWork("tenant provisioning", tenant.Id);

            try
            {
                if (runtime.Backend != RuntimeBackend.None && runtimeOptions.NetworkPerTenant)
                {
                    await runtime.EnsureTenantNetworkAsync(tenant.Id, cancellationToken);
                }

                tenant.Status = TenantStatus.Active;
                tenant.UpdatedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                activated++;
                logger.LogInformation("Tenant {TenantId} provisioned", tenant.Id);
            }
            catch (RuntimeUnavailableException ex)
            {
                span.Failed(ex);
                logger.LogWarning(ex, "The agent runtime is unreachable while provisioning tenant {TenantId}; retried next pass", tenant.Id);
                break;
            }
            catch (RuntimeOperationException ex)
            {
                span.Failed(ex);
                logger.LogError(ex, "Provisioning tenant {TenantId} failed", tenant.Id);
                tenant.Status = TenantStatus.Failed;
                tenant.UpdatedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
                await alerts.OpenAsync(db, new AlertDraft(
                    tenant.Id, null, null, AlertRules.TenantProvisioningFailed, AlertSeverity.Critical,
                    $"Provisioning of tenant {tenant.CompanyName} failed",
                    $"Tenant {tenant.Id} could not be provisioned: {ex.Message}",
                    AlertRules.TenantProvisioningFailedFingerprint(tenant.Id)), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                failed++;
            }
        }

        return (activated, failed);
    }
}
