using Microsoft.Extensions.Configuration;
using Platform.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Secrets are parameters: generated and kept in user secrets on a developer machine, asked of the operator on deploy.
var appRolePassword = builder.AddParameter("app-role-password", SecretParameter.Generated(), secret: true, persist: true);
// AddParameter(name, value) ignores configuration: read Parameters:platform-admin-email first, as for the other parameters.
var adminEmail = builder.AddParameter("platform-admin-email",
    builder.Configuration["Parameters:platform-admin-email"] ?? "admin@platform.local", publishValueAsDefault: true);
var adminPassword = builder.AddParameter("platform-admin-password", SecretParameter.Generated(), secret: true, persist: true);
var sampleUserPassword = builder.AddParameter("sample-user-password", SecretParameter.Generated(), secret: true, persist: true);
var jwtSigningKey = builder.AddParameter("jwt-signing-key", SecretParameter.Generated(48), secret: true, persist: true);
// Encrypts the Data Protection key ring (which encrypts MFA and channel secrets) at rest in PostgreSQL: generated once
// for a development machine, the operator's own certificate in a deployment.
var dataProtectionCertificate = builder.ExecutionContext.IsPublishMode
    ? builder.AddParameter("data-protection-certificate", secret: true)
    : builder.AddParameter("data-protection-certificate", new SelfSignedCertificateDefault("Platform data protection"), secret: true, persist: true);

var infrastructure = InfrastructureMode.Resolve(builder) switch
{
    InfrastructureKind.Local => LocalInfrastructure.Add(builder, appRolePassword),
    _ => ContainerInfrastructure.Add(builder, appRolePassword),
};

var migrator = builder.AddProject<Projects.Platform_Migrator>("migrator")
    .WithReference(infrastructure.OwnerDatabase, "platformdb")
    .WithEnvironment("Migrator__AppRoleName", Infrastructure.AppRoleName)
    .WithEnvironment("Migrator__AppRolePassword", appRolePassword)
    .WithEnvironment("Migrator__PlatformAdminEmail", adminEmail)
    .WithEnvironment("Migrator__PlatformAdminPassword", adminPassword)
    .WithEnvironment("Migrator__SampleUserPassword", sampleUserPassword)
    .WaitFor(infrastructure.Postgres);

var api = builder.AddProject<Projects.Platform_Api>("api")
    .WithReference(infrastructure.AppDatabase, "platformdb")
    .WithEnvironment("Jwt__SigningKey", jwtSigningKey)
    .WithEnvironment("DataProtection__Certificate", dataProtectionCertificate)
    .WithReference(infrastructure.Redis, "redis")
    .WaitForCompletion(migrator)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints()
    .WithReplicas(builder.Configuration.GetValue("Scale:ApiReplicas", 1));

// The worker needs no Redis: its jobs, locks and alerts live in PostgreSQL.
var worker = builder.AddProject<Projects.Platform_Worker>("worker")
    .WithReference(infrastructure.AppDatabase, "platformdb")
    .WithEnvironment("Jwt__SigningKey", jwtSigningKey)
    // The jobs dashboard's sign-in cookie is protected with the key ring the API uses.
    .WithEnvironment("DataProtection__Certificate", dataProtectionCertificate)
    .WaitForCompletion(migrator)
    .WithHttpHealthCheck("/health")
    .WithReplicas(builder.Configuration.GetValue("Scale:WorkerReplicas", 1));

// Reporting reads go to the read replica when there is one; the services fall back to the primary by themselves.
if (infrastructure.ReadDatabase is { } readDatabase)
{
    api.WithReference(readDatabase, Infrastructure.ReadConnectionName);
    worker.WithReference(readDatabase, Infrastructure.ReadConnectionName);
}

// Only schedules set on the AppHost are passed on (tests and soaks run the jobs often); otherwise the worker's defaults hold.
foreach (var schedule in builder.Configuration.GetSection("Jobs:Schedules").GetChildren())
{
    worker.WithEnvironment($"Jobs__Schedules__{schedule.Key}", schedule.Value);
}

ArchiveStorage.Configure(builder, worker);
WorkerCommands.Configure(builder, worker);
ModelProviderParameters.Configure(builder, api);
CorsOrigins.Configure(builder, api);
AgentRuntime.Configure(builder, worker, api);
OperatorConsole.Configure(builder, api);

builder.Build().Run();
