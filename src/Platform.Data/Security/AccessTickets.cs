using Microsoft.EntityFrameworkCore;
using Platform.Data.Entities;

namespace Platform.Data.Security;

/// <summary>A ticket as handed to its caller, once; only its hash is stored.</summary>
public sealed record IssuedTicket(string Ticket, DateTimeOffset ExpiresAt);

/// <summary>
/// Issues and consumes <see cref="AccessTicket"/>s, for the API (stream tickets) and the worker (dashboard sign-in) alike.
/// The table is tenant-scoped (row-level security), but a ticket is presented before anyone knows its tenant: consuming
/// runs in platform scope and finds the row by its unique hash only, as an API key is found by its prefix.
/// </summary>
public static class AccessTickets
{
    /// <summary>Longer input is no ticket of ours (they are 43 characters); refused before it is hashed.</summary>
    public const int MaxLength = 64;

    /// <summary>Adds a ticket for <paramref name="holder"/> (its caller fields set) to the context; the caller saves.</summary>
    public static IssuedTicket Issue(PlatformDbContext db, AccessTicket holder, TimeSpan lifetime, DateTimeOffset now)
    {
        var ticket = Secrets.NewToken();
        holder.TokenHash = Secrets.Hash(ticket);
        holder.CreatedAt = now;
        holder.ExpiresAt = now + lifetime;
        db.AccessTickets.Add(holder);
        return new IssuedTicket(ticket, holder.ExpiresAt);
    }

    /// <summary>
    /// Takes the ticket out of the table in one statement, so two requests with one ticket cannot both have it. Null when
    /// it is unknown, already used, of another purpose or expired (an expired row stays for the cleanup job).
    /// <paramref name="db"/> must have platform scope.
    /// </summary>
    public static async Task<AccessTicket?> ConsumeAsync(
        PlatformDbContext db, string presented, AccessTicketPurpose purpose, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(presented))
        {
            return null;
        }

        var hash = Secrets.Hash(presented);
        var purposeText = purpose == AccessTicketPurpose.Stream ? "stream" : "hangfire";
        var rows = await db.AccessTickets
            .FromSql($"DELETE FROM access_tickets WHERE token_hash = {hash} AND purpose = {purposeText} AND expires_at > {now} RETURNING *")
            .IgnoreQueryFilters()
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        return rows.Count == 1 ? rows[0] : null;
    }

    /// <summary>The characters and length of <see cref="Secrets.NewToken"/>'s output, so garbage never reaches the database.</summary>
    public static bool IsWellFormed(string? presented) =>
        presented is { Length: > 0 and <= MaxLength } && presented.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
