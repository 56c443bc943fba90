namespace Platform.Data.Entities;

// PostgreSQL enum types. Labels are the snake_case member names, in declaration order
// (PlatformDbContext registers them from here), so member order is part of the schema.

public enum UserRole { PlatformAdmin, TenantAdmin, TenantMember }

public enum TenantStatus { Active, Suspended, Provisioning, Failed }

public enum TenantPlan { Starter, Growth, Enterprise }

public enum AgentRole { Pm, Engineering, Operations, Custom }

public enum AgentStatus { Active, Idle, Error, Paused, Provisioning }

public enum ModelTier { Haiku, Sonnet, Opus }

public enum ThinkingMode { Off, Low, High }

public enum SkillCategory { Productivity, Analytics, Engineering, Communication }

public enum SkillStatus { Draft, Published, Deprecated, Removed }

public enum ChannelType { Slack, Teams, Email }

public enum ActivityType { Message, Task, ToolCall }

public enum AuditActorType { User, ApiKey, System }

public enum AuditTargetType { Tenant, User, Agent, Skill, ApiKey, Team }

public enum AuditSeverity { Info, Warning, Critical }

public enum AlertSeverity { Info, Warning, Critical }

/// <summary>
/// The health of an agent's container (<see cref="ContainerHealth"/>), not of a service's /health endpoint; the name is
/// kept as it is the database enum and the OpenAPI schema.
/// </summary>
public enum HealthStatus { Healthy, Degraded, Unhealthy }

public enum InviteStatus { Pending, Accepted, Expired, Revoked }
