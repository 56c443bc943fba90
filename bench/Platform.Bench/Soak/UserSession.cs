using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Bench.Soak;

/// <summary>
/// One signed-in user, as a browser keeps it: a single login (bcrypt is expensive), then the refresh token
/// is rotated shortly before each access token expires. Requests read <see cref="AccessToken"/> when built.
/// </summary>
internal sealed class UserSession(string email)
{
    /// <summary>The recorder's kind of token refreshes: requests of their own, outside the fixed-rate schedule.</summary>
    public const string RefreshKind = "POST /auth/refresh";

    private volatile string _accessToken = "";
    private string _refreshToken = "";
    private long _renewAt;
    private int _renewing;

    public string Email { get; } = email;

    public string AccessToken => _accessToken;

    public int Refreshes { get; private set; }

    public int Relogins { get; private set; }

    public async Task LoginAsync(HttpClient http, Uri api)
    {
        using var response = await http.PostAsJsonAsync(new Uri(api, "/api/v1/auth/login"), new { email = Email, password = BenchData.Password });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"login of {Email}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await TakeTokensAsync(response);
    }

    /// <summary>
    /// Rotates the tokens when three quarters of the access token's life are over. The refresh is one of
    /// the soak's requests (recorded under its own kind); a refused refresh falls back to a new login.
    /// </summary>
    public async Task RenewIfDueAsync(HttpClient http, Uri api, LatencyRecorder recorder, TimeSpan sinceStart, CancellationToken cancellationToken)
    {
        if (Stopwatch.GetTimestamp() < Interlocked.Read(ref _renewAt) || Interlocked.CompareExchange(ref _renewing, 1, 0) != 0)
        {
            return;
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsJsonAsync(new Uri(api, "/api/v1/auth/refresh"), new { refreshToken = _refreshToken }, cancellationToken);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var status = (int)response.StatusCode;
            recorder.Record(RefreshKind, sinceStart, status switch { >= 200 and < 300 => Outcome.Success, >= 500 => Outcome.ServerError, _ => Outcome.OtherStatus }, ms, status);
            if (response.IsSuccessStatusCode)
            {
                await TakeTokensAsync(response);
                Refreshes++;
                return;
            }

            Console.Error.WriteLine($"soak: refresh of {Email} answered {status} {await response.Content.ReadAsStringAsync(cancellationToken)}; logging in again");
            await LoginAsync(http, api);
            Relogins++;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            recorder.Record(RefreshKind, sinceStart, ex is TaskCanceledException ? Outcome.Timeout : Outcome.ConnectionError, null);
            Console.Error.WriteLine($"soak: refresh of {Email} failed: {ex.Message}");
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    private async Task TakeTokensAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        _refreshToken = root.GetProperty("refreshToken").GetString()!;
        _accessToken = root.GetProperty("accessToken").GetString()!;
        var lifetime = TimeSpan.FromSeconds(root.GetProperty("expiresIn").GetInt32());
        Interlocked.Exchange(ref _renewAt, Stopwatch.GetTimestamp() + (long)(lifetime.TotalSeconds * 0.75 * Stopwatch.Frequency));
    }
}
