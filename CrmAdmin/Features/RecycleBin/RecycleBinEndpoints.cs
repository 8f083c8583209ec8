using CrmAdmin.Domain.Crm;
using CrmAdmin.Features.Access;

namespace CrmAdmin.Features.RecycleBin;

/// <summary>"Add to exceptions" and the Recycle bin over HTTP (SPEC §9, S2, S3): listing the bin needs View, every change Edit.</summary>
public static class RecycleBinEndpoints
{
    public sealed record RestoreRequest(bool RemoveExceptions = true);

    public sealed record RecycleBinList(IReadOnlyList<RecycleBinRow> Items);

    public static IEndpointRouteBuilder MapRecycleBinEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Recycle bin").RequireAuthorization(Policies.EditExceptions);
        api.MapPost("/leads/{id:long}/add-to-exceptions", (long id, RecycleBinService s, HttpContext h, CancellationToken ct) =>
            s.AddToExceptionsAsync(CrmEntityType.Lead, id, h.User, ct));
        api.MapPost("/deals/{id:long}/add-to-exceptions", (long id, RecycleBinService s, HttpContext h, CancellationToken ct) =>
            s.AddToExceptionsAsync(CrmEntityType.Deal, id, h.User, ct));
        app.MapGet("/api/recycle-bin", async (RecycleBinService s, HttpContext h, CancellationToken ct) => new RecycleBinList(await s.ListAsync(h.User, ct)))
            .WithTags("Recycle bin").RequireAuthorization(Policies.ViewExceptions);
        api.MapPost("/recycle-bin/{id:long}/restore", (long id, RestoreRequest? request, RecycleBinService s, HttpContext h, CancellationToken ct) =>
            s.RestoreAsync(id, request?.RemoveExceptions ?? true, h.User, ct));
        return app;
    }
}
