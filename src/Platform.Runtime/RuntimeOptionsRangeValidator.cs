using Microsoft.Extensions.Options;

namespace Platform.Runtime;

/// <summary>The <see cref="System.ComponentModel.DataAnnotations.RangeAttribute"/>s of <see cref="RuntimeOptions"/>, checked by source-generated code (no reflection at start).</summary>
[OptionsValidator]
internal sealed partial class RuntimeOptionsRangeValidator : IValidateOptions<RuntimeOptions>;
