using System.ComponentModel.DataAnnotations;

namespace Platform.Worker.Jobs;

/// <summary>
/// Section <c>Jobs</c>: the key that opens <c>POST /jobs/{name}/trigger</c> (header <see cref="JobTriggerApi.KeyHeader"/>).
/// The AppHost generates it as a secret parameter for its dashboard commands; without it the endpoint does not exist.
/// </summary>
public sealed class JobTriggerOptions
{
    public const string SectionName = "Jobs";

    [MinLength(32)]
    public string? TriggerKey { get; set; }
}
