using Microsoft.Extensions.Options;

namespace Platform.Data.Replication;

internal sealed class ReplicaOptionsValidator : IValidateOptions<ReplicaOptions>
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, ReplicaOptions options)
    {
        var errors = new List<string>();
        Check(options.MaxReplicaLag, nameof(ReplicaOptions.MaxReplicaLag), TimeSpan.FromMilliseconds(100), errors);
        Check(options.ReplicaProbeInterval, nameof(ReplicaOptions.ReplicaProbeInterval), TimeSpan.FromMilliseconds(100), errors);

        // Npgsql's timeouts count whole seconds.
        Check(options.ReplicaProbeTimeout, nameof(ReplicaOptions.ReplicaProbeTimeout), TimeSpan.FromSeconds(1), errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(TimeSpan value, string key, TimeSpan min, List<string> errors)
    {
        if (value < min || value > Hour)
        {
            errors.Add($"{ReplicaOptions.SectionName}:{key} must be between {min} and {Hour} (a time span such as 00:00:05), not {value}.");
        }
    }
}
