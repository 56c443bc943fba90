using Platform.Data.Entities;

namespace Platform.Migrator;

/// <summary>The seed's content: three sample agents and the starting skills marketplace.</summary>
internal static class SampleCatalog
{
    public sealed record SampleAgent(
        string Name, string Description, AgentRole Role, string[] Tools, ChannelType Channel, string ChannelName, string ChannelConfig);

    public sealed record SampleSkill(
        string Slug, string Name, string Description, SkillCategory Category, AgentRole[] Roles, string Capabilities, string Permissions);

    public static readonly SampleAgent[] Agents =
    [
        new("Atlas", "Keeps the roadmap, writes status updates and triages requests.", AgentRole.Pm,
            ["jira.search", "docs.write"], ChannelType.Slack, "#product", """{"channel":"#product"}"""),
        new("Forge", "Reviews pull requests and keeps the build green.", AgentRole.Engineering,
            ["github.review", "ci.logs"], ChannelType.Teams, "Engineering", """{"team":"Engineering"}"""),
        new("Sentinel", "Watches on-call alerts and drafts incident reports.", AgentRole.Operations,
            ["pagerduty.read", "grafana.query"], ChannelType.Email, "ops@acme.example", """{"address":"ops@acme.example"}"""),
    ];

    public static readonly SampleSkill[] Skills =
    [
        new("meeting-notes", "Meeting Notes", "Summarises meetings into decisions and action items.", SkillCategory.Productivity,
            [AgentRole.Pm, AgentRole.Engineering, AgentRole.Operations, AgentRole.Custom],
            """{"summarize": true, "formats": ["markdown"]}""", """{"calendar": "read"}"""),
        new("task-triage", "Task Triage", "Labels, sizes and routes incoming tickets.", SkillCategory.Productivity,
            [AgentRole.Pm, AgentRole.Operations], """{"classify": true, "integrations": ["jira", "linear"]}""", """{"tickets": "write"}"""),
        new("kpi-digest", "KPI Digest", "Posts a weekly digest of product metrics.", SkillCategory.Analytics,
            [AgentRole.Pm, AgentRole.Custom], """{"charts": true, "schedule": "weekly"}""", """{"warehouse": "read"}"""),
        new("anomaly-watch", "Anomaly Watch", "Flags unusual movements in time series.", SkillCategory.Analytics,
            [AgentRole.Operations, AgentRole.Engineering], """{"timeseries": true, "alerts": true}""", """{"metrics": "read"}"""),
        new("code-review", "Code Review", "Reviews pull requests for bugs and style.", SkillCategory.Engineering,
            [AgentRole.Engineering], """{"languages": ["csharp", "typescript", "python"], "review": true}""", """{"repositories": "read"}"""),
        new("ci-doctor", "CI Doctor", "Explains failing builds and proposes fixes.", SkillCategory.Engineering,
            [AgentRole.Engineering, AgentRole.Operations], """{"logs": true, "integrations": ["github-actions"]}""", """{"ci": "read"}"""),
        new("slack-digest", "Slack Digest", "Condenses busy channels into a daily summary.", SkillCategory.Communication,
            [AgentRole.Pm, AgentRole.Engineering, AgentRole.Operations, AgentRole.Custom],
            """{"summarize": true, "integrations": ["slack"]}""", """{"channels": "read"}"""),
        new("email-drafts", "Email Drafts", "Drafts replies in the team's tone for review.", SkillCategory.Communication,
            [AgentRole.Pm, AgentRole.Custom], """{"drafts": true, "integrations": ["email"]}""", """{"mailbox": "read"}"""),
    ];
}
