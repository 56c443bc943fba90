using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Platform.Api.Audit;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Entities;

namespace Platform.Api.Skills;

public static class SkillRatingsApi
{
    public static RouteGroupBuilder MapSkillRatings(this RouteGroupBuilder skills)
    {
        skills.MapPut("/{id:guid}/rating", RateAsync).RequireAuthorization(Permissions.SkillsInstall)
            .WithSummary("Rate a published skill 1-5; one rating per tenant user, a new one replaces it. The mean stays exact.");
        return skills;
    }

    private static async Task<Results<Ok<RatingResponse>, ProblemHttpResult>> RateAsync(
        Guid id, RateSkillRequest request, PlatformDbContext db, CurrentUser caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (caller.Actor is not { Type: AuditActorType.User, TenantId: { } tenantId } actor)
        {
            return Problems.Forbidden("Ratings are given by tenant users.");
        }

        if (!await db.Skills.AnyAsync(s => s.Id == id && s.Status == SkillStatus.Published, cancellationToken))
        {
            return Problems.NotFound("skill");
        }

        // The totals on skills follow this row through a trigger, atomically; they are read before the commit, so that a
        // failed read leaves nothing committed rather than a committed rating answered with an error.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rating = (short)request.Rating!.Value;
        var now = DateTimeOffset.UtcNow;
        var mine = await db.SkillRatings.FirstOrDefaultAsync(r => r.SkillId == id && r.UserId == actor.Id, cancellationToken);
        if (mine is null)
        {
            db.SkillRatings.Add(new SkillRating { TenantId = tenantId, SkillId = id, UserId = actor.Id, Rating = rating, CreatedAt = now, UpdatedAt = now });
        }
        else
        {
            mine.Rating = rating;
            mine.UpdatedAt = now;
        }

        audit.Record(db, new AuditEntry("skill.rated", AuditTargetType.Skill, id));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("Another rating of yours was saved at the same moment; retry.");
        }

        var totals = await db.Skills.AsNoTracking().Where(s => s.Id == id)
            .Select(s => new { s.Rating, s.RatingCount }).SingleAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new RatingResponse(id, rating, totals.Rating, totals.RatingCount));
    }
}
