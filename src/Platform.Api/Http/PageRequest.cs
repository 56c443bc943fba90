using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Api.Http;

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
