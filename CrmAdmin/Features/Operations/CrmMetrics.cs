using System.Diagnostics.Metrics;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;

namespace CrmAdmin.Features.Operations;

/// <summary>
/// CrmAdmin's own metrics (meter "CrmAdmin"), exported with ASP.NET Core's request durations on
/// /metrics: imports and their lines by status, routing decisions by channel and outcome, and the
/// events the exception list blocked. Tags are few and fixed, so series stay few.
/// </summary>
public sealed class CrmMetrics
{
    public const string MeterName = "CrmAdmin";

    private readonly Counter<long> imports;
    private readonly Counter<long> importLines;
    private readonly Counter<long> decisions;
    private readonly Counter<long> blocked;

    public CrmMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        imports = meter.CreateCounter<long>("crmadmin.imports", "{import}", "Imports committed to the exception list, by source.");
        importLines = meter.CreateCounter<long>("crmadmin.import.lines", "{line}", "Lines of committed imports, by status (I2).");
        decisions = meter.CreateCounter<long>("crmadmin.routing.decisions", "{decision}", "Routing decisions, by channel, outcome and whether applied.");
        blocked = meter.CreateCounter<long>("crmadmin.routing.blocked", "{event}", "Calls, emails, chats and forms the exception list kept out of the CRM, by channel.");
    }

    /// <summary>Counts a committed import and its lines by status.</summary>
    public void Imported(EntrySource source, ImportReport report)
    {
        imports.Add(1, new KeyValuePair<string, object?>("source", source.ToString()));
        Lines(ImportLineStatus.Added, report.Added);
        Lines(ImportLineStatus.AlreadyListed, report.AlreadyListed);
        Lines(ImportLineStatus.DuplicateInInput, report.DuplicateInInput);
        Lines(ImportLineStatus.Invalid, report.Invalid);
    }

    /// <summary>Counts a decision: outcome blocked, created, logged or nothing; a blocked one that was applied is a blocked event.</summary>
    public void Decided(RoutingDecision decision, bool dryRun)
    {
        var outcome = decision.Blocked ? "blocked" : decision.Create.Count > 0 ? "created" : decision.LogTo.Count > 0 ? "logged" : "nothing";
        decisions.Add(1,
            new KeyValuePair<string, object?>("channel", decision.Channel.ToString()),
            new KeyValuePair<string, object?>("outcome", outcome),
            new KeyValuePair<string, object?>("dry_run", dryRun));
        if (decision.Blocked && !dryRun)
        {
            blocked.Add(1, new KeyValuePair<string, object?>("channel", decision.Channel.ToString()));
        }
    }

    private void Lines(ImportLineStatus status, int count)
    {
        if (count > 0)
        {
            importLines.Add(count, new KeyValuePair<string, object?>("status", status.ToString()));
        }
    }
}
