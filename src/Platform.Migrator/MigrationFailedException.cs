namespace Platform.Migrator;

/// <summary>An expected failure whose message alone tells the operator what to fix.</summary>
public sealed class MigrationFailedException(string message, Exception? inner = null) : Exception(message, inner);
