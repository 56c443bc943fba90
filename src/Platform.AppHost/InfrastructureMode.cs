using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Platform.AppHost;

/// <summary>
/// Chooses how PostgreSQL and Redis run: <c>containers</c> (the normal path with Docker Desktop),
/// <c>local</c> (the machine's installed binaries) or <c>auto</c> (containers only when a container
/// runtime answers and the images are present or can be pulled). Decided before any resource is
/// added: a container resource on a runtime that cannot start it would hang everything waiting on it.
/// </summary>
internal static class InfrastructureMode
{
    public const string ModeKey = "Infrastructure:Mode";

    public static InfrastructureKind Resolve(IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return InfrastructureKind.Containers;
        }

        var mode = builder.Configuration[ModeKey]?.Trim().ToLowerInvariant() ?? "auto";
        var kind = mode switch
        {
            "containers" => InfrastructureKind.Containers,
            "local" => InfrastructureKind.Local,
            "auto" => Detect(builder.Configuration),
            _ => throw new InvalidOperationException($"{ModeKey} must be 'containers', 'local' or 'auto', not '{mode}'."),
        };

        Console.WriteLine($"Platform infrastructure: {kind.ToString().ToLowerInvariant()} (setting {ModeKey}={mode})");
        return kind;
    }

    private static InfrastructureKind Detect(IConfiguration configuration)
    {
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        if (!Succeeds(runtime, ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(10)))
        {
            Console.WriteLine($"No {runtime} engine answers: using the locally installed PostgreSQL and Redis.");
            return InfrastructureKind.Local;
        }

        foreach (var image in ContainerImages.From(configuration).All)
        {
            if (Succeeds(runtime, ["image", "inspect", image.FullName], TimeSpan.FromSeconds(10)))
            {
                continue;
            }

            Console.WriteLine($"Pulling {image.FullName} ...");
            if (!Succeeds(runtime, ["pull", image.FullName], TimeSpan.FromMinutes(5)))
            {
                Console.WriteLine($"{image.FullName} is not present and cannot be pulled: using the locally installed PostgreSQL and Redis.");
                return InfrastructureKind.Local;
            }
        }

        return InfrastructureKind.Containers;
    }

    internal static bool Succeeds(string file, string[] arguments, TimeSpan timeout)
    {
        try
        {
            var start = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
