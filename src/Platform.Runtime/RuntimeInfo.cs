namespace Platform.Runtime;

/// <summary>What answers at a runtime's endpoint.</summary>
public sealed record RuntimeInfo(RuntimeBackend Backend, string Version, string ApiVersion, string Description);
