using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class SkillInstallationConfiguration : IEntityTypeConfiguration<SkillInstallation>
{
    public void Configure(EntityTypeBuilder<SkillInstallation> builder)
    {
        builder.ToTable("skill_installations");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Version).HasMaxLength(50);
        builder.Property(i => i.Config).HasColumnType("jsonb");
        builder.Property(i => i.InstalledAt).HasDefaultValueSql("now()");

        builder.HasIndex(i => new { i.AgentId, i.SkillId }).IsUnique();
        builder.HasIndex(i => i.SkillId);
        builder.HasIndex(i => i.TenantId);
        builder.HasIndex(i => i.InstalledByUserId);

        builder.HasOne<Tenant>().WithMany()
            .HasForeignKey(i => i.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.Agent).WithMany(a => a.SkillInstallations)
            .HasForeignKey(i => i.AgentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.Skill).WithMany(s => s.Installations)
            .HasForeignKey(i => i.SkillId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany()
            .HasForeignKey(i => i.InstalledByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}
