using Microsoft.Extensions.Options;

namespace Platform.Worker.Containers;

public sealed class RuntimeLoopOptionsValidator : IValidateOptions<RuntimeLoopOptions>
{
    public ValidateOptionsResult Validate(string? name, RuntimeLoopOptions options)
    {
        var errors = new List<string>();
        void Range(int value, int min, int max, string key)
        {
            if (value < min || value > max)
            {
                errors.Add($"Runtime:{key} must be between {min} and {max} (is {value}).");
            }
        }

        Range(options.PollIntervalSeconds, 1, 3600, nameof(options.PollIntervalSeconds));
        Range(options.MaxBackoffSeconds, 1, 86400, nameof(options.MaxBackoffSeconds));
        Range(options.ProvisionIntervalSeconds, 1, 3600, nameof(options.ProvisionIntervalSeconds));
        Range(options.ProvisionBatchSize, 1, 1000, nameof(options.ProvisionBatchSize));
        Range(options.ProvisionRetrySeconds, 1, 3600, nameof(options.ProvisionRetrySeconds));
        Range(options.ProvisionRetryMaxSeconds, 1, 86400, nameof(options.ProvisionRetryMaxSeconds));
        Range(options.ProvisionAttemptsBeforeError, 1, 100, nameof(options.ProvisionAttemptsBeforeError));
        if (options.ProvisionRetryMaxSeconds < options.ProvisionRetrySeconds)
        {
            errors.Add("Runtime:ProvisionRetryMaxSeconds must not be less than Runtime:ProvisionRetrySeconds.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
