namespace Platform.Worker.Replication;

public static class ReplicationSetup
{
    /// <summary>The <c>replica_lag</c> and <c>replica_unreachable</c> alerts, fed by the replica monitor of <c>AddPlatformData</c> (needs <c>AddAgentContainers</c>' alert store).</summary>
    public static IHostApplicationBuilder AddReplicaLagAlert(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReplicaLagAlert>();
        builder.Services.AddSingleton<ReplicaUnreachableAlert>();
        builder.Services.AddHostedService<ReplicaLagAlertLoop>();
        return builder;
    }
}
