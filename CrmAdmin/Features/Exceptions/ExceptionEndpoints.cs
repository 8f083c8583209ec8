using System.Text;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Features.Exceptions;

/// <summary>The exception list over HTTP (SPEC §9): the same services the page uses.</summary>
public static class ExceptionEndpoints
{
    public sealed record ImportResponse(int Added, int AlreadyListed, int DuplicateInInput, int Invalid, IReadOnlyList<ImportProblem> Lines)
    {
        public static ImportResponse From(ImportReport report) =>
            new(report.Added, report.AlreadyListed, report.DuplicateInInput, report.Invalid, report.Problems);
    }

    public static IEndpointRouteBuilder MapExceptionEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/exceptions").WithTags("Exceptions");
        api.MapGet("/", ListAsync).WithName("ListExceptions").RequireAuthorization(Policies.ViewExceptions);
        api.MapPost("/import", ImportAsync).WithName("ImportExceptions").RequireAuthorization(Policies.EditExceptions)
            .Accepts<string>("text/plain", "text/csv", "multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapDelete("/{id:long}", DeleteAsync).WithName("RemoveException").RequireAuthorization(Policies.EditExceptions);
        api.MapGet("/export", Export).WithName("ExportExceptions").RequireAuthorization(Policies.ViewExceptions)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        return app;
    }

    private static Task<ExceptionPage> ListAsync(ExceptionListService service, HttpContext http, EntryType? type, string? value, string? comment,
        int? skip, int? take, ExceptionSortColumn? sortBy, bool? descending, CancellationToken ct) =>
        service.ListAsync(new ExceptionListQuery(new ExceptionFilter(comment, value, type), skip ?? 0, take ?? 50,
            sortBy ?? ExceptionSortColumn.CreatedAt, descending ?? true), http.User, ct);

    private static async Task<Results<Ok<ImportResponse>, ProblemHttpResult>> ImportAsync(
        HttpRequest request, ExceptionImportService service, IOptions<ImportLimits> limits, CancellationToken ct)
    {
        var limit = limits.Value;
        // Kestrel's own cap (30 MB) would cut a million-line import off mid-upload; the configured
        // limit is the one that applies, and ReadTextAsync answers it with a clear 413.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit.MaxBytes + 1;
        }

        Stream body = request.Body;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            if (form.Files.Count != 1)
            {
                return TypedResults.Problem("Attach exactly one .txt or .csv file.", statusCode: StatusCodes.Status400BadRequest,
                    title: "No file to import");
            }

            body = form.Files[0].OpenReadStream();
        }

        string? text;
        await using (body)
        {
            text = await limit.ReadTextAsync(body, ct);
        }

        if (text is null)
        {
            return TypedResults.Problem(limit.TooLargeMessage(request.ContentLength ?? limit.MaxBytes + 1),
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Import too large");
        }

        try
        {
            var report = await service.ImportAsync(text, EntrySource.Api, request.HttpContext.User, null, ct);
            return TypedResults.Ok(ImportResponse.From(report));
        }
        catch (ImportTooLargeException tooLarge)
        {
            return TypedResults.Problem(tooLarge.Message, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Import too large");
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        long id, ExceptionListService service, HttpContext http, CancellationToken ct)
    {
        var removed = await service.RemoveAsync([id], EntrySource.Api, http.User, ct);
        return removed == 0
            ? TypedResults.Problem($"There is no exception entry {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found")
            : TypedResults.NoContent();
    }

    private static PushStreamHttpResult Export(ExceptionListService service, HttpContext http, EntryType? type, string? value, string? comment) =>
        TypedResults.Stream(async body =>
            {
                await using var writer = new StreamWriter(body, new UTF8Encoding(true));
                await ExceptionCsv.WriteExportAsync(service.StreamAsync(new ExceptionFilter(comment, value, type), http.User), writer);
            },
            "text/csv; charset=utf-8",
            $"exceptions-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv");
}
