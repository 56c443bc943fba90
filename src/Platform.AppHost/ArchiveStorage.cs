namespace Platform.AppHost;

/// <summary>
/// Where the worker archives audit logs. Run mode: a local S3-compatible server (the npm package
/// s3rver, installed by scripts/install-s3rver.sh) as an executable resource. Publish mode: the
/// operator's S3 endpoint, bucket and credentials as parameters.
/// </summary>
internal static class ArchiveStorage
{
    public const string Bucket = "platform-audit";

    public static void Configure(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> worker)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            worker.WithEnvironment("Archive__ServiceUrl", builder.AddParameter("archive-service-url"))
                .WithEnvironment("Archive__Region", builder.AddParameter("archive-region", "us-east-1", publishValueAsDefault: true))
                .WithEnvironment("Archive__Bucket", builder.AddParameter("archive-bucket", Bucket, publishValueAsDefault: true))
                .WithEnvironment("Archive__AccessKey", builder.AddParameter("archive-access-key", secret: true))
                .WithEnvironment("Archive__SecretKey", builder.AddParameter("archive-secret-key", secret: true));
            return;
        }

        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
        var s3rver = Path.Combine(repositoryRoot, ".tools", "node_modules", ".bin", "s3rver");
        if (!File.Exists(s3rver))
        {
            Console.WriteLine($"{s3rver} is missing (bash scripts/install-s3rver.sh): audit archival has no S3 server in this run.");
            return;
        }

        var stateDirectory = Path.GetFullPath(
            builder.Configuration["Infrastructure:StateDirectory"] ?? Path.Combine(repositoryRoot, ".state", "local"));
        var data = Path.Combine(stateDirectory, "s3");
        Directory.CreateDirectory(data);
        var s3 = builder.AddExecutable("s3", s3rver, repositoryRoot, "--address", "127.0.0.1", "--directory", data, "--configure-bucket", Bucket, "--silent")
            .WithHttpEndpoint(name: "http", env: "S3RVER_PORT");
        var endpoint = s3.GetEndpoint("http");
        s3.WithArgs(context =>
        {
            context.Args.Add("--port");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
        });
        s3.WithHttpHealthCheck("/");

        worker.WithEnvironment("Archive__ServiceUrl", endpoint)
            .WithEnvironment("Archive__Bucket", Bucket)
            .WithEnvironment("Archive__AccessKey", "S3RVER")
            .WithEnvironment("Archive__SecretKey", "S3RVER")
            .WaitFor(s3);
    }
}
