using Microsoft.Extensions.FileProviders;

namespace Platform.Api.Console;

/// <summary>
/// The operator console (web/, built into web/dist) served as static files under <c>/console</c> from the folder in
/// <c>Console:Path</c> (relative paths from the content root). Without that setting, or when the folder is missing, there
/// is no console and <c>/console</c> is 404: the API itself never depends on it.
/// </summary>
public static class OperatorConsole
{
    public const string RequestPath = "/console";

    /// <summary>
    /// The console loads only its own script and stylesheet and talks only to this origin: anything injected into it could
    /// neither run inline nor send what it reads elsewhere.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseOperatorConsole(this WebApplication app)
    {
        var configured = app.Configuration["Console:Path"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return app;
        }

        var folder = Path.GetFullPath(configured, app.Environment.ContentRootPath);
        if (!File.Exists(Path.Combine(folder, "index.html")))
        {
            app.Logger.LogWarning("Console:Path {Folder} has no index.html (build it with scripts/install-web-tools.sh); /console is not served", folder);
            return app;
        }

        var files = new PhysicalFileProvider(folder);
        app.UseWhen(context => context.Request.Path.StartsWithSegments(RequestPath), console => console.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpContext)state).Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers["Referrer-Policy"] = "no-referrer";

                // A new build must reach the browser at once: it revalidates (ETag) instead of using a stale copy.
                headers.CacheControl = "no-cache";
                return Task.CompletedTask;
            }, context);
            return next(context);
        }));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = RequestPath });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = RequestPath });
        return app;
    }
}
