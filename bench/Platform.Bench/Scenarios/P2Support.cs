namespace Platform.Bench.Scenarios;

/// <summary>
/// The names P2, P3 and P8 call their helpers by. Those scenario files are the lead engineer's to edit, so this
/// only forwards to the classes that hold the helpers now; it goes once they call those classes directly.
/// </summary>
internal static class P2Support
{
    public static Guid Tenant(BenchData data, int tenantNo) => SeededData.Tenant(data, tenantNo);

    public static string UserEmail(int tenantNo, int userNo) => SeededData.UserEmail(tenantNo, userNo);

    public static Task<IReadOnlyList<Guid>> AgentIdsAsync(BenchEnvironment environment, Guid tenantId, int count) =>
        SeededData.AgentIdsAsync(environment, tenantId, count);

    public static Task<long> ScalarAsync(BenchEnvironment environment, string sql, Guid tenantId) => SeededData.ScalarAsync(environment, sql, tenantId);

    public static Task<string> LoginAsync(Uri api, string email) => ApiCredentials.LoginAsync(api, email);

    public static Task<(Guid Id, string Secret)> CreateApiKeyAsync(Uri api, int tenantNo, string name, params string[] scopes) =>
        ApiCredentials.CreateApiKeyAsync(api, tenantNo, name, scopes);

    public static void Stop(ReleaseProcess process) => ProcessStopper.Stop(process);

    public static Task<LoadResult> WrkScriptAsync(Uri url, int connections, TimeSpan duration, string lua) =>
        WrkLoad.ScriptAsync(url, connections, duration, lua);

    public static Task<(long Requests, long Errors, double RequestsPerSecond)> WrkUntilCountAsync(
        Uri url, int connections, long target, TimeSpan limit, TimeSpan maxRound, IDictionary<string, string>? headers = null, Action<long>? afterRound = null) =>
        WrkLoad.UntilCountAsync(url, connections, target, limit, maxRound, headers, afterRound);

    public static double CpuSeconds(int pid, bool withChildren = false) => ProcessCpuTime.CpuSeconds(pid, withChildren);

    public static int? PostmasterPid(BenchEnvironment environment) => ProcessCpuTime.PostmasterPid(environment);

    public static double Percentile(double[] sorted, double p) => Statistics.PercentileOfSorted(sorted, p);

    public static string Ms(double value) => Formatting.Ms(value);

    public static string Mb(long bytes) => Formatting.Mb(bytes);
}
