using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmAdmin.Features.Crm;

/// <summary>Entities, CRM settings and telephony lines over HTTP (SPEC §9).</summary>
public static class CrmEndpoints
{
    public sealed record PartyRequest(string Name, string[]? Phones, string[]? Emails, long? CompanyId);

    public sealed record LeadRequest(string Title, string[]? Phones, string[]? Emails, long? ContactId, long? CompanyId,
        LeadStatus? Status, ConvertedTo[]? ConvertedTo, DateTime? ClosedAt);

    public sealed record DealRequest(string Title, long? ContactId, long? CompanyId, DealStage? Stage, DateTime? ClosedAt);

    public sealed record Created(long Id);

    /// <summary>What a lead is converted into (§5): Contact, Deal, or both.</summary>
    public sealed record ConvertRequest(ConvertedTo[]? To);

    /// <summary>A lead's new status: Open (reopen a junk lead) or Junk.</summary>
    public sealed record LeadStatusRequest(LeadStatus Status);

    /// <summary>A deal's new stage: Open, Won or Lost.</summary>
    public sealed record DealStageRequest(DealStage Stage);

    public static IEndpointRouteBuilder MapCrmEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("CRM");
        api.MapPost("/contacts", (PartyRequest r, CrmEntityService s, HttpContext h, CancellationToken ct) =>
                CreateAsync(s, CrmEntityType.Contact, new EntityInput(r.Name, r.Phones, r.Emails, null, r.CompanyId), h, ct))
            .RequireAuthorization(Policies.EditExceptions);
        api.MapPost("/companies", (PartyRequest r, CrmEntityService s, HttpContext h, CancellationToken ct) =>
                CreateAsync(s, CrmEntityType.Company, new EntityInput(r.Name, r.Phones, r.Emails), h, ct))
            .RequireAuthorization(Policies.EditExceptions);
        api.MapPost("/leads", (LeadRequest r, CrmEntityService s, HttpContext h, CancellationToken ct) =>
                CreateAsync(s, CrmEntityType.Lead, new EntityInput(r.Title, r.Phones, r.Emails, r.ContactId, r.CompanyId), h, ct,
                    leadState: r.Status is { } status ? new LeadState(status, r.ConvertedTo, r.ClosedAt) : null))
            .RequireAuthorization(Policies.EditExceptions);
        api.MapPost("/deals", (DealRequest r, CrmEntityService s, HttpContext h, CancellationToken ct) =>
                CreateAsync(s, CrmEntityType.Deal, new EntityInput(r.Title, null, null, r.ContactId, r.CompanyId), h, ct,
                    dealState: r.Stage is { } stage ? new DealState(stage, r.ClosedAt) : null))
            .RequireAuthorization(Policies.EditExceptions);
        foreach (var (path, type) in new[] { ("contacts", CrmEntityType.Contact), ("companies", CrmEntityType.Company), ("leads", CrmEntityType.Lead), ("deals", CrmEntityType.Deal) })
        {
            api.MapGet($"/{path}/{{id:long}}", async Task<Results<Ok<EntityDetails>, ProblemHttpResult>> (long id, CrmEntityService s, HttpContext h, CancellationToken ct) =>
                    await s.GetAsync(type, id, h.User, ct) is { } details
                        ? TypedResults.Ok(details)
                        : TypedResults.Problem($"There is no {type.Noun()} {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found"))
                .WithName($"Get{type}")
                .RequireAuthorization(Policies.ViewExceptions);
        }

        api.MapPost("/leads/{id:long}/convert", (long id, ConvertRequest r, CrmEntityService s, HttpContext h, CancellationToken ct) =>
                AnswerAsync(async () => TypedResults.Ok(await s.ConvertLeadAsync(id, r.To, h.User, EntrySource.Api, ct))))
            .RequireAuthorization(Policies.EditExceptions);
        api.MapPut("/leads/{id:long}", (long id, LeadStatusRequest r, CrmEntityService s, HttpContext h, CancellationToken ct) =>
                AnswerAsync(async () =>
                {
                    await s.SetLeadStatusAsync(id, r.Status, h.User, EntrySource.Api, ct);
                    return TypedResults.NoContent();
                }))
            .RequireAuthorization(Policies.EditExceptions);
        api.MapPut("/deals/{id:long}", (long id, DealStageRequest r, CrmEntityService s, HttpContext h, CancellationToken ct) =>
                AnswerAsync(async () =>
                {
                    await s.SetDealStageAsync(id, r.Stage, h.User, EntrySource.Api, ct);
                    return TypedResults.NoContent();
                }))
            .RequireAuthorization(Policies.EditExceptions);

        api.MapGet("/settings/crm", (CrmSettingsService s, HttpContext h, CancellationToken ct) => s.GetAsync(h.User, ct))
            .RequireAuthorization(Policies.ViewExceptions);
        api.MapPut("/settings/crm", (CrmSettingsDto settings, CrmSettingsService s, HttpContext h, CancellationToken ct) => s.SetAsync(settings, EntrySource.Api, h.User, ct))
            .RequireAuthorization(Policies.Administer);
        api.MapGet("/telephony/lines", (CrmSettingsService s, HttpContext h, CancellationToken ct) => s.GetLinesAsync(h.User, ct))
            .RequireAuthorization(Policies.ViewExceptions);
        api.MapPost("/telephony/lines", async (TelephonyLineInput line, CrmSettingsService s, HttpContext h, CancellationToken ct) =>
            {
                var saved = await s.SaveLineAsync(null, line, EntrySource.Api, h.User, ct);
                return TypedResults.Created($"/api/telephony/lines/{saved.Id}", saved);
            })
            .RequireAuthorization(Policies.Administer);
        api.MapPut("/telephony/lines/{id:long}", (long id, TelephonyLineInput line, CrmSettingsService s, HttpContext h, CancellationToken ct) =>
                s.SaveLineAsync(id, line, EntrySource.Api, h.User, ct))
            .RequireAuthorization(Policies.Administer);
        api.MapDelete("/telephony/lines/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, CrmSettingsService s, HttpContext h, CancellationToken ct) =>
                await s.DeleteLineAsync(id, EntrySource.Api, h.User, ct)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem($"There is no telephony line {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found"))
            .WithName("DeleteTelephonyLine")
            .WithSummary("Deletes a line; calls already logged on it stay in their entities' activities, and routing to it is refused (400).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(Policies.Administer);
        return app;
    }

    private static async Task<Created<Created>> CreateAsync(CrmEntityService service, CrmEntityType type, EntityInput input, HttpContext http,
        CancellationToken ct, LeadState? leadState = null, DealState? dealState = null)
    {
        var id = await service.CreateAsync(type, input, http.User, ct, leadState, dealState, EntrySource.Api);
        return TypedResults.Created($"/api/{PathOf(type)}/{id}", new Created(id));
    }

    // An unknown or recycled entity is 404 and a lead already converted or junk is 409; other refusals
    // stay with the app's handler (400), access denials too (403).
    private static async Task<IResult> AnswerAsync(Func<Task<IResult>> change)
    {
        try
        {
            return await change();
        }
        catch (CrmNotFoundException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        catch (CrmConflictException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }
    }

    public static string PathOf(CrmEntityType type) => type switch
    {
        CrmEntityType.Company => "companies",
        CrmEntityType.Contact => "contacts",
        CrmEntityType.Lead => "leads",
        _ => "deals",
    };
}
