namespace Platform.Worker.Hangfire;

public sealed class HangfireServerSettings
{
    public const string SectionName = "Hangfire";

    [System.ComponentModel.DataAnnotations.Range(1, 64)]
    public int WorkerCount { get; set; } = 4;
}
