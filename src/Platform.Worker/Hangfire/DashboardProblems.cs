using System.Diagnostics;

namespace Platform.Worker.Hangfire;

/// <summary>The jobs dashboard's refusals as the API writes its own: <c>application/problem+json</c> with a stable code.</summary>
internal static class DashboardProblems
{
    public const string SignInHint =
        "Sign in as a platform admin: POST /api/v1/platform/dashboard-tickets on the API, then open /hangfire/sign-in?ticket=<ticket> here.";

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c> (a platform admin's access token also opens the dashboard).</summary>
    public static Task UnauthorizedAsync(HttpContext http, string code, string detail)
    {
        if (!http.Response.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.WWWAuthenticate))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return WriteAsync(http, StatusCodes.Status401Unauthorized, code, "Unauthorized", detail);
    }

    public static Task ForbiddenAsync(HttpContext http) =>
        WriteAsync(http, StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "The jobs dashboard is for platform admins only.");

    private static Task WriteAsync(HttpContext http, int status, string code, string title, string detail) =>
        TypedResults.Problem(detail, http.Request.Path, status, title, extensions: new Dictionary<string, object?>
        {
            ["code"] = code,
            ["traceId"] = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier,
        }).ExecuteAsync(http);
}
