using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Api.Activities;
using Platform.Api.Agents;
using Platform.Api.ApiKeys;
using Platform.Api.Auth;
using Platform.Api.Channels;
using Platform.Api.Containers;
using Platform.Api.Metrics;
using Platform.Api.PlatformOverview;
using Platform.Api.RuntimeDocument;
using Platform.Api.Skills;
using Platform.Api.Streams;
using Platform.Api.Team;
using Platform.Api.Tenants;
using Platform.Api.Webhooks;
using Platform.Data.Resources;

namespace Platform.Api.Http;

/// <summary>
/// JSON metadata generated at build time for every request and response body an endpoint declares. Without it, building
/// the endpoints at start-up made System.Text.Json reflect over each contract type before Kestrel listened (bench P8).
/// Types not listed still work through reflection; <c>JsonContractTests</c> keeps the list whole.
/// Naming, enums and unknown-field handling come from the options it is chained into (<see cref="HttpSetup.Configure"/>).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(AcceptInviteRequest))]
[JsonSerializable(typeof(ActivityResponse))]
[JsonSerializable(typeof(AgentLogsResponse))]
[JsonSerializable(typeof(AgentResponse))]
[JsonSerializable(typeof(AlertResponse))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(ChannelResponse))]
[JsonSerializable(typeof(CreateAgentRequest))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(CreateChannelRequest))]
[JsonSerializable(typeof(CreateInviteRequest))]
[JsonSerializable(typeof(CreateSkillRequest))]
[JsonSerializable(typeof(CreateTenantRequest))]
[JsonSerializable(typeof(CreatedApiKeyResponse))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(UpdateWebhookRequest))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(CreatedWebhookResponse))]
[JsonSerializable(typeof(RotatedWebhookSecretResponse))]
[JsonSerializable(typeof(WebhookTestResponse))]
[JsonSerializable(typeof(WebhookDeliveryResponse))]
[JsonSerializable(typeof(Page<WebhookResponse>))]
[JsonSerializable(typeof(Page<WebhookDeliveryResponse>))]
[JsonSerializable(typeof(CreatedInviteResponse))]
[JsonSerializable(typeof(HealthSeries))]
[JsonSerializable(typeof(InstallSkillRequest))]
[JsonSerializable(typeof(InstallationResponse))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(MetricPoint))]
[JsonSerializable(typeof(MetricSeries))]
[JsonSerializable(typeof(MetricSummary))]
[JsonSerializable(typeof(MfaCodeRequest))]
[JsonSerializable(typeof(MfaDisableRequest))]
[JsonSerializable(typeof(MfaSetupResponse))]
[JsonSerializable(typeof(Page<ActivityResponse>))]
[JsonSerializable(typeof(Page<AgentResponse>))]
[JsonSerializable(typeof(Page<AlertResponse>))]
[JsonSerializable(typeof(Page<ApiKeyResponse>))]
[JsonSerializable(typeof(Page<AuditLogResponse>))]
[JsonSerializable(typeof(Page<ChannelResponse>))]
[JsonSerializable(typeof(Page<ContainerHealthResponse>))]
[JsonSerializable(typeof(Page<InstallationResponse>))]
[JsonSerializable(typeof(Page<InviteResponse>))]
[JsonSerializable(typeof(Page<SkillResponse>))]
[JsonSerializable(typeof(Page<TeamMemberResponse>))]
[JsonSerializable(typeof(Page<TenantResponse>))]
[JsonSerializable(typeof(PlatformOverviewResponse))]
[JsonSerializable(typeof(PostActivityRequest))]
[JsonSerializable(typeof(PostMetricRequest))]
[JsonSerializable(typeof(RateSkillRequest))]
[JsonSerializable(typeof(RatingResponse))]
[JsonSerializable(typeof(RecoveryCodesResponse))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(RuntimeDocumentResponse))]
[JsonSerializable(typeof(SignupRequest))]
[JsonSerializable(typeof(SkillResponse))]
[JsonSerializable(typeof(TeamMemberResponse))]
[JsonSerializable(typeof(TenantCreatedResponse))]
[JsonSerializable(typeof(TenantResponse))]
[JsonSerializable(typeof(TicketResponse))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(UpdateAgentRequest))]
[JsonSerializable(typeof(UpdateChannelRequest))]
[JsonSerializable(typeof(UpdateMemberRequest))]
[JsonSerializable(typeof(UpdateSkillRequest))]
[JsonSerializable(typeof(UpdateTenantRequest))]
[JsonSerializable(typeof(UserResponse))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
