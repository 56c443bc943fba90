namespace Platform.AppHost;

internal enum InfrastructureKind
{
    Containers,
    Local,
}
