using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;

namespace Platform.Data.Tenancy;

/// <summary>
/// Isolation in the query, beside row-level security in the database: every tenant-scoped entity gets
/// a global filter on the context's tenant. Besides defence in depth, the explicit
/// <c>tenant_id = @tenant</c> lets PostgreSQL use the tenant indexes, which the policy's OR cannot.
/// </summary>
internal static class TenantQueryFilters
{
    public static void Apply(ModelBuilder modelBuilder, PlatformDbContext context)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => e.ClrType is not null && !e.IsOwned()))
        {
            var column = entity.ClrType == typeof(Tenant) ? nameof(Tenant.Id) : entity.FindProperty("TenantId") is not null ? "TenantId" : null;
            if (column is null)
            {
                continue;
            }

            // e => context.FilterTenantId == null || (Guid?)e.<column> == context.FilterTenantId
            var row = Expression.Parameter(entity.ClrType, "e");
            // Typed as the base class, not the instance's own type: EF puts the context that runs a query in place of any
            // constant its type can be assigned to, so a model built once serves PlatformReadDbContext as well.
            var current = Expression.Property(Expression.Constant(context, typeof(PlatformDbContext)), nameof(PlatformDbContext.FilterTenantId));
            var value = Expression.Convert(Expression.Property(row, column), typeof(Guid?));
            var filter = Expression.OrElse(
                Expression.Equal(current, Expression.Constant(null, typeof(Guid?))),
                Expression.Equal(value, current));
            modelBuilder.Entity(entity.ClrType).HasQueryFilter(Expression.Lambda(filter, row));
        }
    }
}
