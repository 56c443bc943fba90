using Microsoft.Extensions.Options;

namespace Platform.Api.Streams;

/// <summary>
/// How long one stream may stay open: until the client leaves or <see cref="StreamOptions.MaxDurationSeconds"/> passes,
/// whichever is first. At the deadline the stream ends as if its source had ended: a complete response, never an abort.
/// </summary>
public sealed class StreamWindow : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _linked;

    private StreamWindow(TimeSpan maxDuration, TimeProvider clock, CancellationToken requestAborted)
    {
        _deadline = new CancellationTokenSource(maxDuration, clock);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _deadline.Token);
    }

    /// <summary>Cancelled when the client leaves or the deadline passes: what the stream's source reads with.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>True once the deadline has passed.</summary>
    public bool Expired => _deadline.IsCancellationRequested;

    public static StreamWindow Open(IOptions<StreamOptions> options, TimeProvider clock, CancellationToken requestAborted) =>
        new(options.Value.MaxDuration, clock, requestAborted);

    /// <summary>The next item of <paramref name="items"/>, or false at its end or at the deadline.</summary>
    public async ValueTask<bool> MoveNextAsync<T>(IAsyncEnumerator<T> items)
    {
        try
        {
            return !Expired && await items.MoveNextAsync();
        }
        catch (OperationCanceledException) when (Expired)
        {
            return false;
        }
    }

    /// <summary>Enumerates <paramref name="items"/> (read with <see cref="Token"/>) until its end or the deadline, then disposes the window.</summary>
    public async IAsyncEnumerable<T> RunAsync<T>(IAsyncEnumerable<T> items)
    {
        using (this)
        {
            var enumerator = items.GetAsyncEnumerator(Token);
            await using (enumerator)
            {
                while (await MoveNextAsync(enumerator))
                {
                    yield return enumerator.Current;
                }
            }
        }
    }

    public void Dispose()
    {
        _linked.Dispose();
        _deadline.Dispose();
    }
}
