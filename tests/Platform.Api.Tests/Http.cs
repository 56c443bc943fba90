using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Api.Tests;

/// <summary>JSON over real HTTP, with the API's own conventions (camelCase, enums as snake_case strings).</summary>
public static class Http
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string url, object? body) =>
        client.PostAsJsonAsync(url, body, Json, Ct);

    public static Task<HttpResponseMessage> PatchAsync(this HttpClient client, string url, object body) =>
        client.PatchAsJsonAsync(url, body, Json, Ct);

    public static Task<HttpResponseMessage> PutAsync(this HttpClient client, string url, object body) =>
        client.PutAsJsonAsync(url, body, Json, Ct);

    public static Task<HttpResponseMessage> SendRawAsync(this HttpClient client, HttpMethod method, string url, string rawBody) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(rawBody, Encoding.UTF8, "application/json") }, Ct);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        return string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts the status and returns the body, with the body in the failure message.</summary>
    public static async Task<JsonElement> ExpectAsync(this Task<HttpResponseMessage> request, HttpStatusCode status)
    {
        using var response = await request;
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a problem response: status, <c>application/problem+json</c> and the stable code.</summary>
    public static async Task<JsonElement> ExpectProblemAsync(this Task<HttpResponseMessage> request, HttpStatusCode status, string code)
    {
        using var response = await request;
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        return problem;
    }

    /// <summary>Sends <paramref name="request"/> until it answers <paramref name="status"/>; fails after <paramref name="within"/>.</summary>
    public static async Task<TimeSpan> EventuallyAsync(Func<Task<HttpResponseMessage>> request, HttpStatusCode status, TimeSpan within)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var response = await request();
            if (response.StatusCode == status)
            {
                return watch.Elapsed;
            }

            Assert.True(watch.Elapsed < within, $"still {(int)response.StatusCode} after {within.TotalSeconds} s: {await response.Content.ReadAsStringAsync(Ct)}");
            await Task.Delay(50, Ct);
        }
    }

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static Guid Id(this JsonElement element, string property = "id") => element.GetProperty(property).GetGuid();
}
