using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;

namespace CrmAdmin.Features.Dashboard;

/// <summary>The dashboard's statistics over HTTP (SPEC §9): the same service the start page uses.</summary>
public static class StatsEndpoints
{
    /// <summary>One UTC day: blocked calls and emails.</summary>
    public sealed record DayResponse(string Day, int Calls, int Emails);

    /// <summary>An entry and its hits in the range.</summary>
    public sealed record TopResponse(long EntryId, EntryType Type, string Value, int Hits);

    /// <summary><c>GET /api/stats/blocked</c>: the range answered (UTC days, both included), every day in it, the top entries.</summary>
    public sealed record BlockedResponse(string From, string To, IReadOnlyList<DayResponse> Days, IReadOnlyList<TopResponse> Top)
    {
        public static BlockedResponse Of(BlockedStats stats) => new(
            Format(stats.From), Format(stats.To),
            stats.Days.Select(d => new DayResponse(Format(d.Day), d.Calls, d.Emails)).ToList(),
            stats.Top.Select(t => new TopResponse(t.EntryId, t.Type, t.Value, t.Hits)).ToList());

        private static string Format(DateOnly day) => day.ToString(StatsService.DayFormat, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        // from/to arrive as text and are parsed by the service's rules, so a bad date is a problem
        // document that says what to send rather than the binder's bare 400.
        app.MapGroup("/api/stats").WithTags("Statistics")
            .MapGet("/blocked", async (string? from, string? to, StatsService stats, HttpContext http, CancellationToken ct) =>
                BlockedResponse.Of(await stats.BlockedAsync(StatsService.ParseDay(from, "from"), StatsService.ParseDay(to, "to"), http.User, ct)))
            .WithName("BlockedStats")
            .WithSummary("What the exception list blocked per UTC day (yyyy-MM-dd, from and to included; at most 366 days; by default the last 30), from applied decisions.")
            .RequireAuthorization(Policies.ViewExceptions)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }
}
