using System.ComponentModel.DataAnnotations;
using System.Net;

namespace CrmAdmin.Features.Operations;

/// <summary>
/// The "Metrics" section: who may read /metrics besides administrators. A Prometheus server
/// scrapes without signing in, so its network is named here (CIDR, e.g. "10.0.5.0/24", "127.0.0.1/32").
/// </summary>
public sealed class MetricsOptions : IValidatableObject
{
    public const string Section = "Metrics";

    /// <summary>Metrics:AllowedNetworks — networks whose requests may read /metrics unauthenticated; empty: administrators only.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Whether <paramref name="address"/> is in one of <see cref="AllowedNetworks"/> (IPv4-mapped IPv6 counts as IPv4).</summary>
    public bool Allows(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return AllowedNetworks.Any(n => IPNetwork.Parse(n).Contains(plain));
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in AllowedNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"Metrics:AllowedNetworks: \"{network}\" is not a network in CIDR form (e.g. 10.0.5.0/24).", [nameof(AllowedNetworks)]);
        }
    }
}
