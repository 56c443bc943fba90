using System.Net;
using System.Net.Sockets;

namespace Platform.Data.Webhooks;

/// <summary>
/// The addresses a webhook must never reach (no SSRF): loopback, private, link-local, multicast, unspecified, shared
/// (carrier-grade NAT) and the cloud metadata addresses. Checked on create/patch for literal addresses and, the check that
/// matters, at delivery time on the address actually connected.
/// </summary>
public static class WebhookAddresses
{
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");

    /// <summary>Why the address is refused, or null when a webhook may connect to it.</summary>
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return "loopback";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b switch
            {
                [169, 254, 169, 254] => "metadata",
                [169, 254, ..] => "link_local",
                [10, ..] or [172, >= 16 and <= 31, ..] or [192, 168, ..] => "private",
                [100, >= 64 and <= 127, ..] => "private",
                [0, ..] => "unspecified",
                [>= 224 and <= 239, ..] => "multicast",
                [255, 255, 255, 255] => "broadcast",
                _ => null,
            };
        }

        if (address.Equals(AwsMetadataV6))
        {
            return "metadata";
        }

        if (address.Equals(IPAddress.IPv6Any))
        {
            return "unspecified";
        }

        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
        {
            return "link_local";
        }

        if (address.IsIPv6Multicast)
        {
            return "multicast";
        }

        // fc00::/7, unique local addresses: IPv6's private range.
        return (address.GetAddressBytes()[0] & 0xFE) == 0xFC ? "private" : null;
    }
}
