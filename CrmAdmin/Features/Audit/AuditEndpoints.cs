using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmAdmin.Features.Audit;

/// <summary>The audit log over HTTP (SPEC §9, X6): the Audit log page's filters, administrators only.</summary>
public static class AuditEndpoints
{
    /// <summary>One page of the log, newest first, and how many rows match the filter in all.</summary>
    public sealed record AuditPage(int Total, IReadOnlyList<AuditRow> Items);

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", QueryAsync).WithTags("Audit").WithName("QueryAudit").RequireAuthorization(Policies.Administer)
            .WithSummary("The audit log, newest first, filtered as on the Audit log page.")
            .WithDescription("user and value: text the actor, or the value or details, contain. action: an AuditAction name. "
                + "from and to (UTC): a date (yyyy-MM-dd; to includes that whole day) or an ISO 8601 date and time (to excludes it). "
                + $"skip ≥ 0; take 1 to {AuditLogService.MaxTake} (default 50). 400 for a date that does not parse or a bound out of range.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> QueryAsync(AuditLogService audit, HttpContext http,
        string? user, string? action, string? value, string? from, string? to,
        [Range(0, int.MaxValue)] int? skip, [Range(1, AuditLogService.MaxTake)] int? take, CancellationToken ct)
    {
        FieldLimits.Check(user, FieldLimits.AuditFilter, "user");
        FieldLimits.Check(value, FieldLimits.AuditFilter, "value");
        FieldLimits.Check(action, FieldLimits.AuditFilter, "action");
        if (take is < 1 or > AuditLogService.MaxTake || skip is < 0)
        {
            return Invalid($"skip: 0 or more; take: 1 to {AuditLogService.MaxTake}.");
        }

        // Bound by hand, not as AuditAction?: a name that does not bind would be a bare 400 without saying which names exist.
        AuditAction? actionFilter = null;
        if (!string.IsNullOrWhiteSpace(action))
        {
            if (!Enum.TryParse<AuditAction>(action.Trim(), out var parsed) || char.IsAsciiDigit(action.Trim()[0]) || action.Contains(',') || !Enum.IsDefined(parsed))
            {
                return Invalid($"action: one of {string.Join(", ", Enum.GetNames<AuditAction>())}.");
            }

            actionFilter = parsed;
        }

        if (!TryParseBound(from, endOfDay: false, out var fromAt))
        {
            return Invalid($"from: \"{from}\" is not a date (yyyy-MM-dd) or an ISO 8601 date and time.");
        }

        if (!TryParseBound(to, endOfDay: true, out var toAt))
        {
            return Invalid($"to: \"{to}\" is not a date (yyyy-MM-dd) or an ISO 8601 date and time.");
        }

        var query = new AuditQuery(Blank(user), actionFilter, Blank(value), fromAt, toAt, skip ?? 0, take ?? 50);
        var (total, items) = await audit.QueryAsync(query, http.User, ct);
        return TypedResults.Ok(new AuditPage(total, items));

        static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    /// <summary>
    /// A date alone is a whole UTC day, as the page's date pickers mean it: "to" then bounds at the next
    /// midnight, so to=2026-11-30 includes that day. A date and time converts to UTC and is used as given.
    /// </summary>
    private static bool TryParseBound(string? text, bool endOfDay, out DateTime? at)
    {
        at = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            at = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(endOfDay ? 1 : 0);
            return true;
        }

        if (DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            at = instant.UtcDateTime;
            return true;
        }

        return false;
    }

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid audit query");
}
