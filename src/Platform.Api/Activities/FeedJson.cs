using System.Text.Json;

namespace Platform.Api.Activities;

internal static class FeedJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Http.HttpSetup.Configure(options);
        return options;
    }
}
