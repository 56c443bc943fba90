using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Platform.Api.Infrastructure;

/// <summary><c>?limit=</c> (default 50, max 200) and the opaque <c>?cursor=</c> of every list.</summary>
public sealed class PageRequest
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public int? Limit { get; init; }

    public string? Cursor { get; init; }

    public int Size => Limit ?? DefaultLimit;

    /// <summary>Null when valid, else the problem to return.</summary>
    public ProblemHttpResult? Validate(Func<string, bool>? cursorIsValid = null)
    {
        if (Size is < 1 or > MaxLimit)
        {
            return Problems.Validation("limit", $"Must be between 1 and {MaxLimit}.");
        }

        var valid = cursorIsValid ?? (c => KeysetCursor.Decode(c) is not null);
        return Cursor is not null && !valid(Cursor) ? Problems.Validation("cursor", "Not a cursor this API issued.") : null;
    }
}

/// <summary>One page of a list: <c>{ items, nextCursor }</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// Keyset pagination on the UUIDv7 primary key (creation order): no OFFSET, so every page costs one
/// index range scan however deep the client goes.
/// </summary>
public static class KeysetPaging
{
    public static async Task<Page<TResult>> ToPageAsync<TEntity, TResult>(
        this IQueryable<TEntity> query,
        PageRequest page,
        Expression<Func<TEntity, Guid>> key,
        Expression<Func<TEntity, TResult>> projection,
        Func<TResult, Guid> keyOfResult,
        bool newestFirst = true,
        CancellationToken cancellationToken = default)
    {
        if (page.Cursor is not null && KeysetCursor.Decode(page.Cursor) is { } after)
        {
            query = query.Where(After(key, after, newestFirst));
        }

        query = newestFirst ? query.OrderByDescending(key) : query.OrderBy(key);
        var rows = await query.Select(projection).Take(page.Size + 1).ToListAsync(cancellationToken);
        if (rows.Count <= page.Size)
        {
            return new Page<TResult>(rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        return new Page<TResult>(rows, KeysetCursor.Encode(keyOfResult(rows[^1])));
    }

    private static Expression<Func<TEntity, bool>> After<TEntity>(Expression<Func<TEntity, Guid>> key, Guid after, bool newestFirst)
    {
        // Guid has no < operator; EF translates CompareTo to a plain uuid comparison.
        var compare = Expression.Call(key.Body, typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!, Expression.Constant(after));
        Expression condition = newestFirst
            ? Expression.LessThan(compare, Expression.Constant(0))
            : Expression.GreaterThan(compare, Expression.Constant(0));
        return Expression.Lambda<Func<TEntity, bool>>(condition, key.Parameters);
    }
}

/// <summary>Cursors are opaque to clients: the last key of the page, base64url.</summary>
public static class KeysetCursor
{
    public static string Encode(Guid key) =>
        Convert.ToBase64String(key.ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static Guid? Decode(string cursor)
    {
        if (cursor.Length != 22)
        {
            return null;
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/') + "==";
        Span<byte> bytes = stackalloc byte[16];
        return Convert.TryFromBase64String(base64, bytes, out var written) && written == 16 ? new Guid(bytes) : null;
    }
}
