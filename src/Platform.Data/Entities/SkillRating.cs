namespace Platform.Data.Entities;

/// <summary>
/// One user's rating of a skill. Not one of the spec's 15 tables: "one rating per tenant user" needs
/// the rating each user gave, so that changing it replaces rather than adds to the mean.
/// </summary>
public class SkillRating
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid SkillId { get; set; }
    public Guid UserId { get; set; }
    public short Rating { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
