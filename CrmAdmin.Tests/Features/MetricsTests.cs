using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using CrmAdmin.Features.Operations;

namespace CrmAdmin.Tests.Features;

/// <summary>/metrics: Prometheus's format, read by administrators or a configured network, and counters that move.</summary>
/// <summary>Alone: the exporter hears every CrmAdmin meter in the process, so another test's imports would move these counters too.</summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

[Collection(nameof(MetricsTests))]
public sealed class MetricsTests : IAsyncLifetime
{
    private readonly CrmAdminFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task Only_an_administrator_reads_the_metrics_when_no_network_is_allowed()
    {
        await factory.CreateUserAsync("viewer@test.local", "Viewer");
        using var viewer = await factory.CreateApiClientAsync("viewer@test.local", CrmAdminFactory.UserPassword);
        using var admin = await factory.CreateAdminClientAsync();

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateApiClient().GetAsync("/metrics")).StatusCode);
    }

    [Theory]
    [InlineData("10.0.5.7", true)]
    [InlineData("::ffff:10.0.5.7", true)]
    [InlineData("10.0.6.7", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("192.168.1.1", false)]
    public void A_configured_network_may_read_the_metrics_and_others_may_not(string address, bool allowed)
    {
        var options = new MetricsOptions { AllowedNetworks = ["10.0.5.0/24", "127.0.0.1/32"] };

        Assert.Equal(allowed, options.Allows(IPAddress.Parse(address)));
    }

    [Fact]
    public async Task An_import_and_a_blocked_call_move_their_counters()
    {
        using var admin = await factory.CreateAdminClientAsync();
        // The exporter hears every CrmAdmin meter in the process, so only this test's own changes are compared.
        var before = await admin.GetStringAsync("/metrics");
        var addedBefore = Counter(before, "crmadmin_import_lines_total", "status=\"Added\"");
        var invalidBefore = Counter(before, "crmadmin_import_lines_total", "status=\"Invalid\"");
        var blockedBefore = Counter(before, "crmadmin_routing_blocked_total", "channel=\"IncomingCall\"");
        var decisionsBefore = Counter(before, "crmadmin_routing_decisions_total", "outcome=\"blocked\"");

        await admin.PostAsync("/api/exceptions/import", new StringContent("+1 415 555 0100;robot\n+1 415 555 0101\nnot a number", Encoding.UTF8, "text/plain"));
        var line = await admin.PostAsync("/api/telephony/lines", new StringContent("""{"number":"+1 212 555 0000","name":"Main"}""", Encoding.UTF8, "application/json"));
        var lineId = Regex.Match(await line.Content.ReadAsStringAsync(), "\"id\":(\\d+)").Groups[1].Value;
        var call = await admin.PostAsync("/api/routing/call", new StringContent($$"""{"lineId":{{lineId}},"direction":"Incoming","number":"+14155550100","dryRun":false}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);

        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Equal(addedBefore + 2, Counter(metrics, "crmadmin_import_lines_total", "status=\"Added\""));
        Assert.Equal(invalidBefore + 1, Counter(metrics, "crmadmin_import_lines_total", "status=\"Invalid\""));
        Assert.Equal(blockedBefore + 1, Counter(metrics, "crmadmin_routing_blocked_total", "channel=\"IncomingCall\""));
        Assert.Equal(decisionsBefore + 1, Counter(metrics, "crmadmin_routing_decisions_total", "outcome=\"blocked\""));
        Assert.Contains("http_server_request_duration_seconds_bucket", metrics);
    }

    [Fact]
    public async Task Blazor_timings_per_component_are_left_out_of_a_scrape()
    {
        using var admin = await factory.CreateAdminClientAsync();
        using var browser = await factory.CreateSignedInBrowserAsync(CrmAdminFactory.AdminEmail, CrmAdminFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);

        var metrics = await admin.GetStringAsync("/metrics");

        Assert.DoesNotContain(metrics.Split('\n'), l => l.StartsWith("aspnetcore_components_", StringComparison.Ordinal)
            && !l.StartsWith("aspnetcore_components_circuit", StringComparison.Ordinal));
        Assert.Contains("http_server_request_duration_seconds_bucket", metrics);
    }

    /// <summary>The value of the series of <paramref name="name"/> whose labels include <paramref name="label"/>; 0 when absent.</summary>
    private static double Counter(string metrics, string name, string label) =>
        metrics.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal))
            .Sum(l => double.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
}
