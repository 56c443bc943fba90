using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Data.Entities;
using Platform.Data.Tenancy;

namespace Platform.Worker.Containers;

/// <summary>
/// Tenants in <c>provisioning</c> → <c>active</c> (with a network <c>platform-tenant-{id}</c> first when
/// <c>Docker:NetworkPerTenant</c>), or <c>failed</c> with a <c>tenant_provisioning_failed</c> alert.
/// </summary>
internal sealed class TenantProvisioner(
    DockerConnection docker,
    DbContextOptions<PlatformDbContext> dbOptions,
    AlertStore alerts,
    ILogger logger,
    TimeProvider clock)
{
    private DockerOptions Options => docker.Options;

    public async Task<(int Activated, int Failed)> ProvisionAsync(Guid[] onlyTenants, CancellationToken cancellationToken)
    {
        int activated = 0, failed = 0;
        for (var i = 0; i < Options.ProvisionBatchSize; i++)
        {
            await using var db = PlatformDbContext.Create(dbOptions, TenantContext.ForPlatform());
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var tenant = await ProvisioningClaims.NextTenantAsync(db, onlyTenants, cancellationToken);
            if (tenant is null)
            {
                break;
            }

            try
            {
                if (Options.Enabled && Options.NetworkPerTenant)
                {
                    await EnsureNetworkAsync(tenant.Id, cancellationToken);
                }

                tenant.Status = TenantStatus.Active;
                tenant.UpdatedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                activated++;
                logger.LogInformation("Tenant {TenantId} provisioned", tenant.Id);
            }
            catch (Exception ex) when (DockerConnection.IsUnreachable(ex, cancellationToken))
            {
                logger.LogWarning(ex, "Docker unreachable while provisioning tenant {TenantId}; retried next pass", tenant.Id);
                break;
            }
            catch (Exception ex) when (ex is DockerApiException)
            {
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

    private async Task EnsureNetworkAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var name = ContainerLabels.TenantNetwork(tenantId);
        var existing = await docker.Client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } },
        }, cancellationToken);
        if (existing.Any(n => n.Name == name))
        {
            return;
        }

        await docker.Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = name,
            Driver = "bridge",
            CheckDuplicate = true,
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.TenantId] = tenantId.ToString(),
                [ContainerLabels.Scope] = Options.Scope,
            },
        }, cancellationToken);
        logger.LogInformation("Created network {Network}", name);
    }
}
