using Microsoft.Extensions.Options;

namespace Platform.Worker.Containers;

/// <summary>
/// Validates <see cref="RuntimeLoopOptions"/> at start: the ranges declared on the options (checked by source-generated
/// code), and the one rule between two of them.
/// </summary>
public sealed class RuntimeLoopOptionsValidator : IValidateOptions<RuntimeLoopOptions>
{
    private static readonly RuntimeLoopOptionsRangeValidator Ranges = new();

    public ValidateOptionsResult Validate(string? name, RuntimeLoopOptions options)
    {
        var errors = new List<string>(Ranges.Validate(name, options).Failures ?? []);
        if (options.ProvisionRetryMaxSeconds < options.ProvisionRetrySeconds)
        {
            errors.Add("Runtime:ProvisionRetryMaxSeconds must not be less than Runtime:ProvisionRetrySeconds.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
