using Platform.Data.Entities;

namespace Platform.Api.Agents;

/// <summary>Field checks the attributes cannot express: tool policy sizes, assisted-user shape, blank names.</summary>
internal static class AgentRules
{
    private const int MaxTools = 200;
    private const int MaxToolName = 200;

    /// <summary>JSON may carry explicit nulls for lists: store empty ones instead.</summary>
    public static ToolPolicy? Normalize(ToolPolicy? policy) => policy is null ? null : policy with
    {
        Allowed = policy.Allowed ?? [],
        Denied = policy.Denied ?? [],
        ApprovalRules = policy.ApprovalRules ?? [],
    };

    public static AssistedUser? Normalize(AssistedUser? user) =>
        user is null ? null : user with { Preferences = user.Preferences ?? new Dictionary<string, string>() };

    public static Dictionary<string, string[]> Validate(string? name, ToolPolicy? toolPolicy, AssistedUser? assistedUser)
    {
        var errors = new Dictionary<string, string[]>();
        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            errors["name"] = ["Must not be blank."];
        }

        if (toolPolicy is not null)
        {
            CheckTools(errors, "toolPolicy.allowed", toolPolicy.Allowed);
            CheckTools(errors, "toolPolicy.denied", toolPolicy.Denied);
            CheckTools(errors, "toolPolicy.approvalRules", toolPolicy.ApprovalRules.Select(r => r.Tool).ToList());
            if (toolPolicy.Allowed.Intersect(toolPolicy.Denied, StringComparer.Ordinal).Any())
            {
                errors["toolPolicy"] = ["A tool cannot be both allowed and denied."];
            }
        }

        if (assistedUser is not null)
        {
            if (string.IsNullOrWhiteSpace(assistedUser.Role) || assistedUser.Role.Length > 100)
            {
                errors["assistedUser.role"] = ["Required, at most 100 characters."];
            }

            if (assistedUser.Preferences.Count > 50 || assistedUser.Preferences.Any(p => p.Key.Length > 100 || p.Value.Length > 1000))
            {
                errors["assistedUser.preferences"] = ["At most 50 entries; keys up to 100 and values up to 1,000 characters."];
            }
        }

        return errors;
    }

    private static void CheckTools(Dictionary<string, string[]> errors, string field, IReadOnlyList<string> tools)
    {
        if (tools.Count > MaxTools || tools.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > MaxToolName))
        {
            errors[field] = [$"At most {MaxTools} non-blank tool names of up to {MaxToolName} characters."];
        }
    }
}
