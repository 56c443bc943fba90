using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class AccessTicketConfiguration : IEntityTypeConfiguration<AccessTicket>
{
    public void Configure(EntityTypeBuilder<AccessTicket> builder)
    {
        builder.ToTable("access_tickets", table =>
        {
            table.HasCheckConstraint("ck_access_tickets_purpose", TextEnumConverter<AccessTicketPurpose>.Check("purpose"));
            table.HasCheckConstraint("ck_access_tickets_holder", "(user_id IS NOT NULL) <> (api_key_id IS NOT NULL)");
        });
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.TokenHash).HasMaxLength(128);
        builder.Property(t => t.Purpose).HasConversion(new TextEnumConverter<AccessTicketPurpose>()).HasMaxLength(16);
        builder.Property(t => t.CreatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.ExpiresAt);
        builder.HasIndex(t => t.TenantId);
        builder.HasIndex(t => t.UserId);
        builder.HasIndex(t => t.ApiKeyId);

        builder.HasOne<Tenant>().WithMany().HasForeignKey(t => t.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(t => t.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
