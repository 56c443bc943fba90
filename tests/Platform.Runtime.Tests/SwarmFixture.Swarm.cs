using Docker.DotNet;
using Docker.DotNet.Models;

namespace Platform.Runtime.Tests;

/// <summary>The swarm's agent test image.</summary>
public sealed partial class SwarmFixture
{
    /// <summary>The busybox agent image (scripts/build-agent-image.sh) with <see cref="AgentScript"/> as its command.</summary>
    private static async Task CommitAgentImageAsync(DockerClient client)
    {
        var ct = CancellationToken.None;
        var container = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = BaseImage,
            Cmd = ["/bin/sh", "-c", AgentScript],
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, ct);
        try
        {
            var (repository, tag) = (Image[..Image.LastIndexOf(':')], Image[(Image.LastIndexOf(':') + 1)..]);
            await client.Images.CommitContainerChangesAsync(
                new CommitContainerChangesParameters { ContainerID = container.ID, RepositoryName = repository, Tag = tag }, ct);
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, ct);
        }
    }
}
