namespace Platform.Api.Tests.Web;

/// <summary>The hand-written TypeScript compiles against the generated types: an API change that breaks the client or the console fails here.</summary>
public sealed class TypeScriptTests
{
    [Fact]
    public async Task The_client_type_checks() => await TypeCheckAsync(WebTools.ClientDirectory);

    [Fact]
    public async Task The_console_type_checks() => await TypeCheckAsync(WebTools.ConsoleDirectory);

    private static async Task TypeCheckAsync(string project)
    {
        WebTools.Require(WebTools.TypeScriptCompiler);
        var (exitCode, output) = await WebTools.RunAsync(project, WebTools.TypeScriptCompiler, "--noEmit", "-p", project);
        Assert.True(exitCode == 0, $"tsc --noEmit -p {project} failed:\n{output}");
    }
}
