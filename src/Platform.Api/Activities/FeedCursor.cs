using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Platform.Api.Activities;

/// <summary>
/// A position in the live feed, and the SSE event id that <c>Last-Event-ID</c> resumes from: the inserting
/// transaction's id and the activity's id. Activities are delivered in this order, and only once every transaction
/// below them has finished (<see cref="ActivityFeedStore"/>), so "everything after this cursor" never misses a row
/// that committed late. Written <c>{txid}-{activity id without dashes}</c>.
/// </summary>
public readonly record struct FeedCursor(ulong TxId, Guid Id) : IComparable<FeedCursor>
{
    public int CompareTo(FeedCursor other) => TxId != other.TxId ? TxId.CompareTo(other.TxId) : Id.CompareTo(other.Id);

    public static bool operator <(FeedCursor left, FeedCursor right) => left.CompareTo(right) < 0;

    public static bool operator >(FeedCursor left, FeedCursor right) => left.CompareTo(right) > 0;

    public static bool operator <=(FeedCursor left, FeedCursor right) => left.CompareTo(right) <= 0;

    public static bool operator >=(FeedCursor left, FeedCursor right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{TxId.ToString(CultureInfo.InvariantCulture)}-{Id:N}";

    public static bool TryParse(string? value, [NotNullWhen(true)] out FeedCursor? cursor)
    {
        cursor = null;
        var dash = value?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (value is null || dash is < 1 or > 20 || value.Length - dash - 1 != 32
            || !ulong.TryParse(value.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var tx)
            || !Guid.TryParseExact(value.AsSpan(dash + 1), "N", out var id))
        {
            return false;
        }

        cursor = new FeedCursor(tx, id);
        return true;
    }
}
