using Microsoft.Extensions.Options;

namespace Platform.Worker.Containers;

/// <summary>The <see cref="System.ComponentModel.DataAnnotations.RangeAttribute"/>s of <see cref="RuntimeLoopOptions"/>, checked by source-generated code (no reflection at start).</summary>
[OptionsValidator]
internal sealed partial class RuntimeLoopOptionsRangeValidator : IValidateOptions<RuntimeLoopOptions>;
