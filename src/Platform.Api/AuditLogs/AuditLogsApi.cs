using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Api.Http;
using Platform.Api.Security;
using Platform.Data;
using Platform.Data.Resources;

namespace Platform.Api.AuditLogs;

public static class AuditLogsApi
{
    public static RouteGroupBuilder MapAuditLogs(this RouteGroupBuilder api)
    {
        var logs = api.MapGroup("/audit-logs").WithTags("Audit").RequireAuthorization(Permissions.AuditRead);
        logs.MapGet("/", ListAsync).WithSummary("The audit log, newest first, with filters.");
        logs.MapGet("/export", ExportAsync).WithSummary("The same filter as NDJSON, streamed (one JSON object per line).")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson");
        return api;
    }

    private static async Task<Results<Ok<Page<AuditLogResponse>>, ProblemHttpResult>> ListAsync(
        [AsParameters] AuditLogQuery filter, [AsParameters] PageRequest page, PlatformReadDbContext db, CancellationToken cancellationToken)
    {
        if ((page.Validate() ?? Invalid(filter)) is { } invalid)
        {
            return invalid;
        }

        return TypedResults.Ok(await filter.Apply(db.AuditLogs.AsNoTracking())
            .ToPageAsync(page, l => l.Id, AuditLogProjection.ToResponse, r => r.Id, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Streams rows as the database returns them (no buffering of the result), flushing every few
    /// hundred lines, so an export of millions of rows keeps memory flat (see <see cref="AuditLogExport"/>).
    /// </summary>
    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ExportAsync(
        [AsParameters] AuditLogQuery filter, PlatformReadDbContext db, IOptions<JsonOptions> json, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (Invalid(filter) is { } invalid)
        {
            return invalid;
        }

        http.Response.ContentType = "application/x-ndjson";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"audit-logs.ndjson\"";
        var body = http.Response.BodyWriter;
        await AuditLogExport.For(json.Value.SerializerOptions).WriteAsync(filter.Apply(db.AuditLogs), db, body, cancellationToken);
        await body.FlushAsync(cancellationToken);
        return TypedResults.Empty;
    }

    private static ProblemHttpResult? Invalid(AuditLogQuery filter) =>
        filter.From is { } from && filter.To is { } to && from >= to ? Problems.Validation("from", "from must be before to.") : null;
}
