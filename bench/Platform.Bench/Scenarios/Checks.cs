namespace Platform.Bench.Scenarios;

internal static class Checks
{
    /// <summary>Fails the scenario when what it measured is not what it set out to measure.</summary>
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
