namespace Platform.Runtime;

/// <summary>The runtime did not answer (connection refused, TLS refused, timeout, no runtime configured).</summary>
public sealed class RuntimeUnavailableException : Exception
{
    public RuntimeUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public RuntimeUnavailableException()
    {
    }

    public RuntimeUnavailableException(string message)
        : base(message)
    {
    }
}
