using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Data.Entities;

namespace Platform.Data.Configurations;

public sealed class SkillConfiguration : IEntityTypeConfiguration<Skill>
{
    public void Configure(EntityTypeBuilder<Skill> builder)
    {
        builder.ToTable("skills", t =>
            t.HasCheckConstraint("ck_skills_rating", "rating >= 0 AND rating <= 5"));
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Name).HasMaxLength(200);
        builder.Property(s => s.Slug).HasMaxLength(100);
        builder.Property(s => s.Description).HasMaxLength(4000);
        builder.Property(s => s.Version).HasMaxLength(50);
        builder.Property(s => s.Capabilities).HasColumnType("jsonb");
        builder.Property(s => s.Permissions).HasColumnType("jsonb");
        builder.Property(s => s.Rating).HasPrecision(3, 2);
        builder.Property(s => s.Publisher).HasMaxLength(200);
        builder.Property(s => s.CreatedAt).HasDefaultValueSql("now()");
        builder.Property(s => s.UpdatedAt).HasDefaultValueSql("now()");

        builder.HasIndex(s => s.Slug).IsUnique();
        builder.HasIndex(s => s.Status);
        builder.HasIndex(s => s.Category);
        builder.HasIndex(s => s.CompatibleRoles).HasMethod("gin");
        builder.HasIndex(s => s.Capabilities).HasMethod("gin").HasOperators("jsonb_path_ops");
        builder.HasIndex(s => s.Permissions).HasMethod("gin").HasOperators("jsonb_path_ops");
    }
}
