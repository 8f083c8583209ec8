using System.ComponentModel.DataAnnotations;
using System.Text;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Features.Exceptions;

/// <summary>The exception list over HTTP (SPEC §9): the same services the page uses.</summary>
public static class ExceptionEndpoints
{
    /// <summary>
    /// The import report (SPEC §9, I12): the counts, <c>lines</c> with the first 10,000 lines that were not
    /// added, <c>moreLines</c> ("and N more"), <c>problemLines</c> (all of them), <c>assumedEncoding</c>
    /// (I7: the legacy code page the bytes were read as, or null), <c>headerSkipped</c> (I8: the header row
    /// that was skipped, <c>{line, input}</c>, or null) and, when any line was not added,
    /// <c>reportUrl</c> with the full report as CSV for an hour.
    /// </summary>
    public sealed record ImportResponse(int Added, int AlreadyListed, int DuplicateInInput, int Invalid, IReadOnlyList<ImportProblem> Lines,
        int MoreLines, int ProblemLines, string? AssumedEncoding, string? ReportId, string? ReportUrl, long? ImportId = null, ImportHeader? HeaderSkipped = null)
    {
        public static ImportResponse From(ImportReport report, string pathBase = "") =>
            new(report.Added, report.AlreadyListed, report.DuplicateInInput, report.Invalid, report.Problems,
                report.MoreProblems, report.ProblemLines, report.AssumedEncoding, report.FullReportId,
                report.FullReportId is { } id ? $"{pathBase}/api/exceptions/import-reports/{id}.csv" : null, report.ImportId, report.SkippedHeader);
    }

    /// <summary>The answer of <c>POST /api/exceptions/imports/{id}/undo</c> (I10): how many entries were removed (0 the second time).</summary>
    public sealed record UndoResponse(int Removed);

    /// <summary>The answer of <c>DELETE /api/exceptions/expired</c> (X10): how many expired entries were removed.</summary>
    public sealed record RemovedResponse(int Removed);

    public static IEndpointRouteBuilder MapExceptionEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/exceptions").WithTags("Exceptions");
        api.MapGet("/", ListAsync).WithName("ListExceptions").RequireAuthorization(Policies.ViewExceptions);
        api.MapPost("/import", ImportAsync).WithName("ImportExceptions").RequireAuthorization(Policies.EditExceptions)
            .Accepts<string>("text/plain", "text/csv", "multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/import-reports/{id}.csv", DownloadReportAsync).WithName("DownloadImportReport").RequireAuthorization(Policies.EditExceptions)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/imports", (ExceptionImportHistoryService history, HttpContext http,
                [Range(0, int.MaxValue)] int? skip, [Range(1, ExceptionImportHistoryService.MaxTake)] int? take, CancellationToken ct) =>
                history.ListAsync(http.User, skip ?? 0, take ?? 50, ct))
            .WithName("ListImports").RequireAuthorization(Policies.ViewExceptions);
        api.MapPost("/imports/{id:long}/undo", UndoAsync).WithName("UndoImport").RequireAuthorization(Policies.EditExceptions)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/expired", async (ExceptionListService service, HttpContext http, CancellationToken ct) =>
                new RemovedResponse(await service.RemoveExpiredAsync(EntrySource.Api, http.User, ct)))
            .WithName("RemoveExpiredExceptions").RequireAuthorization(Policies.EditExceptions);
        api.MapDelete("/{id:long}", DeleteAsync).WithName("RemoveException").RequireAuthorization(Policies.EditExceptions);
        api.MapGet("/export", Export).WithName("ExportExceptions").RequireAuthorization(Policies.ViewExceptions)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        return app;
    }

    private static async Task<Results<Ok<ExceptionPage>, ProblemHttpResult>> ListAsync(ExceptionListService service, HttpContext http, EntryType? type, string? value, string? comment,
        string? status, [Range(0, int.MaxValue)] int? skip, [Range(1, ExceptionListQuery.MaxTake)] int? take, ExceptionSortColumn? sortBy, bool? descending, CancellationToken ct) =>
        ParseStatus(status, out var parsed) is { } problem
            ? problem
            : TypedResults.Ok(await service.ListAsync(new ExceptionListQuery(new ExceptionFilter(comment, value, type, parsed), skip ?? 0, take ?? 50,
                sortBy ?? ExceptionSortColumn.CreatedAt, descending ?? true), http.User, ct));

    /// <summary>
    /// X10, SPEC §9: <c>status=active|expired</c>, spelled as the spec does (any case); anything else,
    /// a number included, is a 400 as every enum in the API is (P5).
    /// </summary>
    private static ProblemHttpResult? ParseStatus(string? text, out EntryStatus? status)
    {
        status = null;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (Enum.GetNames<EntryStatus>().FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } name)
        {
            status = Enum.Parse<EntryStatus>(name);
            return null;
        }

        return TypedResults.Problem("status: active or expired.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid value");
    }

    private static async Task<Results<Ok<UndoResponse>, ProblemHttpResult>> UndoAsync(
        long id, ExceptionImportHistoryService history, HttpContext http, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok(new UndoResponse(await history.UndoAsync(id, EntrySource.Api, http.User, ct)));
        }
        catch (ImportNotFoundException missing)
        {
            return TypedResults.Problem(missing.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
    }

    private static async Task<Results<Ok<ImportResponse>, ProblemHttpResult>> ImportAsync(
        HttpRequest request, ExceptionImportService service, IOptions<ImportLimits> limits, TimeProvider clock,
        [Range(1, ImportOptions.MaxExpiresInDays)] int? expiresInDays, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var limit = limits.Value;
        // I11: checked before the body is read, so a wrong option costs no upload.
        var options = ImportOptions.From(expiresInDays, expiresAt, clock.GetUtcNow().UtcDateTime);
        // Kestrel's own cap (30 MB) would cut a million-line import off mid-upload; the configured
        // limit is the one that applies, and ReadTextAsync answers it with a clear 413.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit.MaxBytes + 1;
        }

        // I7: the charset the request (or the uploaded file's part) declares; the decoder honours it.
        Stream body = request.Body;
        var charset = ImportTextDecoder.CharsetOf(request.ContentType);
        long? length = request.ContentLength;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            if (form.Files.Count != 1)
            {
                return TypedResults.Problem("Attach exactly one .txt or .csv file.", statusCode: StatusCodes.Status400BadRequest,
                    title: "No file to import");
            }

            body = form.Files[0].OpenReadStream();
            charset = ImportTextDecoder.CharsetOf(form.Files[0].ContentType);
            length = form.Files[0].Length;
        }

        try
        {
            ImportText? text;
            await using (body)
            {
                text = await ImportTextDecoder.ReadAsync(body, charset, limit.MaxBytes, length, ct);
            }

            if (text is null)
            {
                return TypedResults.Problem(limit.TooLargeMessage(request.ContentLength ?? limit.MaxBytes + 1),
                    statusCode: StatusCodes.Status413PayloadTooLarge, title: "Import too large");
            }

            var report = await service.ImportAsync(text, EntrySource.Api, options, request.HttpContext.User, null, ct);
            return TypedResults.Ok(ImportResponse.From(report, request.PathBase));
        }
        catch (ImportTooLargeException tooLarge)
        {
            return TypedResults.Problem(tooLarge.Message, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Import too large");
        }
        catch (ImportUnreadableException unreadable)
        {
            return TypedResults.Problem(unreadable.Message, statusCode: StatusCodes.Status400BadRequest, title: "Import not readable");
        }
        catch (ImportEmptyException empty)
        {
            return TypedResults.Problem(empty.Message, statusCode: StatusCodes.Status400BadRequest, title: "Nothing to import");
        }
    }

    /// <summary>I12: the full report of an import as CSV, gzip-encoded as stored when the client accepts it.</summary>
    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadReportAsync(
        string id, ImportReportStore reports, HttpContext http)
    {
        var gzip = http.Request.Headers.AcceptEncoding.Any(v => v?.Contains("gzip", StringComparison.OrdinalIgnoreCase) == true);
        var stream = await reports.OpenAsync(id, http.User, gzip, http.RequestAborted);
        if (stream is null)
        {
            return TypedResults.Problem("There is no import report with this id for you; a report is kept for an hour after its import.",
                statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        http.Response.Headers.Vary = "Accept-Encoding";
        if (gzip)
        {
            http.Response.Headers.ContentEncoding = "gzip";
        }

        return TypedResults.File(stream, ImportReportStore.ContentType, $"import-report-{id}.csv");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        long id, ExceptionListService service, HttpContext http, CancellationToken ct)
    {
        var removed = await service.RemoveAsync([id], EntrySource.Api, http.User, ct);
        return removed == 0
            ? TypedResults.Problem($"There is no exception entry {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found")
            : TypedResults.NoContent();
    }

    private static IResult Export(ExceptionListService service, HttpContext http, EntryType? type, string? value, string? comment, string? status) =>
        ParseStatus(status, out var parsed) is { } problem ? problem : TypedResults.Stream(async body =>
            {
                await using var writer = new StreamWriter(body, new UTF8Encoding(true));
                await ExceptionCsv.WriteExportAsync(service.StreamAsync(new ExceptionFilter(comment, value, type, parsed), http.User), writer);
            },
            "text/csv; charset=utf-8",
            $"exceptions-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv");
}
