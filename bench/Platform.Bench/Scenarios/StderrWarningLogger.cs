using Microsoft.Extensions.Logging;

namespace Platform.Bench;

/// <summary>Warnings and errors of the code under test on stderr; the rest dropped.</summary>
internal sealed class StderrWarningLogger<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine($"[{typeof(T).Name}] {logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetBaseException().Message)}");
        }
    }
}
