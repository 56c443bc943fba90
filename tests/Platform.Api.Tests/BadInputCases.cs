namespace Platform.Api.Tests;

/// <summary>
/// Bad bodies for every endpoint that takes one: (caller, method, url, raw body, status, field the
/// errors must name or null). Placeholders in braces are filled per row by <see cref="BadInputTests"/>;
/// apart from the one defect, each body would succeed, so a missed check shows up as a change.
/// </summary>
public static class BadInputCases
{
    private const string Signup = "/api/v1/auth/signup";
    private const string Login = "/api/v1/auth/login";
    private const string Refresh = "/api/v1/auth/refresh";
    private const string Logout = "/api/v1/auth/logout";
    private const string MfaEnable = "/api/v1/auth/mfa/enable";
    private const string MfaDisable = "/api/v1/auth/mfa/disable";
    private const string Password = "/api/v1/auth/password";
    private const string Tenants = "/api/v1/tenants";
    private const string Tenant = "/api/v1/tenants/{tenant}";
    private const string Member = "/api/v1/team/members/{member}";
    private const string Invites = "/api/v1/team/invites";
    private const string Accept = "/api/v1/invites/accept";
    private const string ApiKeys = "/api/v1/api-keys";

    public static TheoryData<string, string, string, string, int, string?> All => new()
    {
        { "anon", "POST", Signup, """{"companyName":"{company}","name":"Nora New","password":"{password}"}""", 400, "email" },
        { "anon", "POST", Signup, """{"companyName":42,"name":"Nora New","email":"{email}","password":"{password}"}""", 400, "companyName" },
        { "anon", "POST", Signup, """{"companyName":"{company}","email":""", 400, null },
        { "anon", "POST", Signup, """{"companyName":"{long}","name":"Nora New","email":"{email}","password":"{password}"}""", 400, "companyName" },
        { "anon", "POST", Signup, """{"companyName":"{company}","name":"{long}","email":"{email}","password":"{password}"}""", 400, "name" },
        { "anon", "POST", Signup, """{"companyName":"{company}","name":"Nora New","email":"{longEmail}","password":"{password}"}""", 400, "email" },
        { "anon", "POST", Signup, """{"companyName":"{company}","name":"Nora New","email":"not-an-email","password":"{password}"}""", 400, "email" },
        { "anon", "POST", Signup, """{"companyName":"{company}","name":"Nora New","email":"{email}","password":"short"}""", 400, "password" },
        { "anon", "POST", Signup, """{"companyName":"{company}","name":"Nora New","email":"{email}","password":"{password}","isAdmin":true}""", 400, "isAdmin" },
        { "anon", "POST", Signup, """{"companyName":"{company}","name":"Nora New","email":"{email}","password":"{password}","role":"platform_admin"}""", 400, "role" },

        { "anon", "POST", Signup, "null", 400, null },
        { "anon", "POST", Signup, "[]", 400, null },

        { "anon", "POST", Login, """{"email":"{adminEmail}"}""", 400, "password" },
        { "anon", "POST", Login, """{"email":42,"password":"{password}"}""", 400, "email" },
        { "anon", "POST", Login, """{"email":""", 400, null },
        { "anon", "POST", Login, """{"email":"{longEmail}","password":"{password}"}""", 400, "email" },
        { "anon", "POST", Login, """{"email":"not-an-email","password":"{password}"}""", 400, "email" },
        { "anon", "POST", Login, """{"email":"{adminEmail}","password":"{long}"}""", 400, "password" },
        { "anon", "POST", Login, """{"email":"{adminEmail}","password":"{password}","mfaCode":123456}""", 400, "mfaCode" },
        { "anon", "POST", Login, """{"email":"{adminEmail}","password":"{password}","isAdmin":true}""", 400, "isAdmin" },

        { "anon", "POST", Refresh, "{}", 400, "refreshToken" },
        { "anon", "POST", Refresh, """{"refreshToken":42}""", 400, "refreshToken" },
        { "anon", "POST", Refresh, """{"refreshToken":""", 400, null },
        { "anon", "POST", Refresh, """{"refreshToken":"{long}"}""", 400, "refreshToken" },
        { "anon", "POST", Refresh, """{"refreshToken":"{refresh}","userId":"{member}"}""", 400, "userId" },

        { "admin", "POST", Logout, "{}", 400, "refreshToken" },
        { "admin", "POST", Logout, """{"refreshToken":["{refresh}"]}""", 400, "refreshToken" },
        { "admin", "POST", Logout, """{"refreshToken":""", 400, null },
        { "admin", "POST", Logout, """{"refreshToken":"{long}"}""", 400, "refreshToken" },
        { "admin", "POST", Logout, """{"refreshToken":"{refresh}","allSessions":true}""", 400, "allSessions" },

        { "admin", "POST", MfaEnable, "{}", 400, "code" },
        { "admin", "POST", MfaEnable, """{"code":123456}""", 400, "code" },
        { "admin", "POST", MfaEnable, """{"code":""", 400, null },
        { "admin", "POST", MfaEnable, """{"code":"{long}"}""", 400, "code" },
        { "admin", "POST", MfaEnable, """{"code":"12"}""", 400, "code" },
        { "admin", "POST", MfaEnable, """{"code":"123456","secret":"JBSWY3DPEHPK3PXP"}""", 400, "secret" },

        { "admin", "POST", MfaDisable, """{"password":"{password}"}""", 400, "code" },
        { "admin", "POST", MfaDisable, """{"password":42,"code":"123456"}""", 400, "password" },
        { "admin", "POST", MfaDisable, """{"password":""", 400, null },
        { "admin", "POST", MfaDisable, """{"password":"{long}","code":"123456"}""", 400, "password" },
        { "admin", "POST", MfaDisable, """{"password":"{password}","code":"123456","isAdmin":true}""", 400, "isAdmin" },

        { "admin", "POST", Password, """{"currentPassword":"{password}"}""", 400, "newPassword" },
        { "admin", "POST", Password, """{"currentPassword":"{password}","newPassword":42}""", 400, "newPassword" },
        { "admin", "POST", Password, """{"currentPassword":""", 400, null },
        { "admin", "POST", Password, """{"currentPassword":"{password}","newPassword":"{long}"}""", 400, "newPassword" },
        { "admin", "POST", Password, """{"currentPassword":"{password}","newPassword":"short"}""", 400, "newPassword" },
        { "admin", "POST", Password, """{"currentPassword":"{password}","newPassword":"a-brand-new-password","userId":"{member}"}""", 400, "userId" },

        { "platform", "POST", Tenants, """{"adminEmail":"{email}","plan":"starter"}""", 400, "companyName" },
        { "platform", "POST", Tenants, """{"companyName":42,"adminEmail":"{email}","plan":"starter"}""", 400, "companyName" },
        { "platform", "POST", Tenants, """{"companyName":""", 400, null },
        { "platform", "POST", Tenants, """{"companyName":"{long}","adminEmail":"{email}","plan":"starter"}""", 400, "companyName" },
        { "platform", "POST", Tenants, """{"companyName":"{company}","adminEmail":"{longEmail}","plan":"starter"}""", 400, "adminEmail" },
        { "platform", "POST", Tenants, """{"companyName":"{company}","adminEmail":"not-an-email","plan":"starter"}""", 400, "adminEmail" },
        { "platform", "POST", Tenants, """{"companyName":"{company}","adminEmail":"{email}","plan":"gold"}""", 400, "plan" },
        { "platform", "POST", Tenants, """{"companyName":"{company}","adminEmail":"{email}","plan":1}""", 400, "plan" },
        { "platform", "POST", Tenants, """{"companyName":"{company}","adminEmail":"{email}","plan":"starter","id":"{member}"}""", 400, "id" },
        { "platform", "POST", Tenants, """{"companyName":"{company}","adminEmail":"{email}","plan":"starter","status":"active"}""", 400, "status" },

        { "admin", "PATCH", Tenant, "{}", 400, "body" },
        { "admin", "PATCH", Tenant, """{"companyName":42}""", 400, "companyName" },
        { "admin", "PATCH", Tenant, """{"companyName":""", 400, null },
        { "admin", "PATCH", Tenant, """{"companyName":"{long}"}""", 400, "companyName" },
        { "admin", "PATCH", Tenant, """{"companyName":"   "}""", 400, "companyName" },
        { "admin", "PATCH", Tenant, """{"modelDefaults":"opus"}""", 400, "modelDefaults" },
        { "admin", "PATCH", Tenant, """{"modelDefaults":{"modelTier":"gpt","thinkingMode":"off"}}""", 400, "modelTier" },
        { "admin", "PATCH", Tenant, """{"modelDefaults":{"modelTier":"opus","thinkingMode":"off","temperature":2}}""", 400, "temperature" },
        { "admin", "PATCH", Tenant, """{"companyName":"{company}","isAdmin":true}""", 400, "isAdmin" },
        { "admin", "PATCH", Tenant, """{"companyName":"{company}","id":"{member}"}""", 400, "id" },
        { "admin", "PATCH", Tenant, """{"plan":"growth"}""", 400, "plan" },
        { "admin", "PATCH", Tenant, """{"companyName":"{company}","plan":"growth"}""", 400, "plan" },
        { "admin", "PATCH", Tenant, """{"status":"active"}""", 400, "status" },
        { "admin", "PATCH", Tenant, """{"resourceLimits":{"requestsPerMinute":1000000}}""", 400, "resourceLimits" },

        { "platform", "PATCH", Tenant, """{"plan":"gold"}""", 400, "plan" },
        { "platform", "PATCH", Tenant, """{"status":"deleted"}""", 400, "status" },
        { "platform", "PATCH", Tenant, """{"resourceLimits":{"cpu":0}}""", 400, "cpu" },
        { "platform", "PATCH", Tenant, """{"resourceLimits":{"maxAgents":-1,"memoryMb":1}}""", 400, "maxAgents" },
        { "platform", "PATCH", Tenant, """{"resourceLimits":{"requestsPerMinute":"many"}}""", 400, "requestsPerMinute" },
        { "platform", "PATCH", Tenant, """{"resourceLimits":{"gpus":8}}""", 400, "gpus" },

        { "admin", "PATCH", Member, "{}", 400, "role" },
        { "admin", "PATCH", Member, """{"role":1}""", 400, "role" },
        { "admin", "PATCH", Member, """{"role":""", 400, null },
        { "admin", "PATCH", Member, """{"role":"owner"}""", 400, "role" },
        { "admin", "PATCH", Member, """{"role":"platform_admin"}""", 400, "role" },
        { "admin", "PATCH", Member, """{"role":"{long}"}""", 400, "role" },
        { "admin", "PATCH", Member, """{"role":"tenant_admin","isAdmin":true}""", 400, "isAdmin" },
        { "admin", "PATCH", Member, """{"role":"tenant_admin","tenantId":"{tenant}"}""", 400, "tenantId" },

        { "admin", "POST", Invites, """{"role":"tenant_member"}""", 400, "email" },
        { "admin", "POST", Invites, """{"email":"{email}"}""", 400, "role" },
        { "admin", "POST", Invites, """{"email":42,"role":"tenant_member"}""", 400, "email" },
        { "admin", "POST", Invites, """{"email":""", 400, null },
        { "admin", "POST", Invites, """{"email":"{longEmail}","role":"tenant_member"}""", 400, "email" },
        { "admin", "POST", Invites, """{"email":"not-an-email","role":"tenant_member"}""", 400, "email" },
        { "admin", "POST", Invites, """{"email":"{email}","role":"owner"}""", 400, "role" },
        { "admin", "POST", Invites, """{"email":"{email}","role":"platform_admin"}""", 400, "role" },
        { "admin", "POST", Invites, """{"email":"{email}","role":"tenant_member","tenantId":"{tenant}"}""", 400, "tenantId" },

        { "anon", "POST", Accept, """{"token":"{inviteToken}","password":"{password}"}""", 400, "name" },
        { "anon", "POST", Accept, """{"token":42,"name":"Ivy Invitee","password":"{password}"}""", 400, "token" },
        { "anon", "POST", Accept, """{"token":""", 400, null },
        { "anon", "POST", Accept, """{"token":"{inviteToken}","name":"{long}","password":"{password}"}""", 400, "name" },
        { "anon", "POST", Accept, """{"token":"{inviteToken}","name":"Ivy Invitee","password":"short"}""", 400, "password" },
        { "anon", "POST", Accept, """{"token":"{long}","name":"Ivy Invitee","password":"{password}"}""", 400, "token" },
        { "anon", "POST", Accept, """{"token":"{inviteToken}","name":"Ivy Invitee","password":"{password}","role":"tenant_admin"}""", 400, "role" },
        { "anon", "POST", Accept, """{"token":"{inviteToken}","name":"Ivy Invitee","password":"{password}","isAdmin":true}""", 400, "isAdmin" },

        { "admin", "POST", ApiKeys, """{"name":"ci"}""", 400, "scopes" },
        { "admin", "POST", ApiKeys, """{"name":"ci","scopes":"agents:read"}""", 400, "scopes" },
        { "admin", "POST", ApiKeys, """{"name":42,"scopes":["agents:read"]}""", 400, "name" },
        { "admin", "POST", ApiKeys, """{"name":""", 400, null },
        { "admin", "POST", ApiKeys, """{"name":"{long}","scopes":["agents:read"]}""", 400, "name" },
        { "admin", "POST", ApiKeys, """{"name":"ci","scopes":["platform:manage"]}""", 400, "scopes" },
        { "admin", "POST", ApiKeys, """{"name":"ci","scopes":[]}""", 400, "scopes" },
        { "admin", "POST", ApiKeys, """{"name":"ci","scopes":["agents:read"],"expiresAt":"2000-01-01T00:00:00Z"}""", 400, "expiresAt" },
        { "admin", "POST", ApiKeys, """{"name":"ci","scopes":["agents:read"],"expiresAt":"tomorrow"}""", 400, "expiresAt" },
        { "admin", "POST", ApiKeys, """{"name":"ci","scopes":["agents:read"],"tenantId":"{tenant}"}""", 400, "tenantId" },
    };
}
