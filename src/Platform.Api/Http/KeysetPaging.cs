using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Platform.Api.Http;

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
