using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;

namespace CrmAdmin.Features.Hardening;

/// <summary>
/// SPEC §9: what a request that minimal APIs could not bind got wrong, in the shape of the app's own
/// validation problems ("field: what is expected."). Binding fails before any filter or handler runs,
/// and <see cref="BadHttpRequestException"/> carries only a sentence for developers; the field is found
/// from structured facts instead: the <see cref="JsonException"/>'s path mapped through the serializer's
/// own contract of the endpoint's body type, and the handler's parameters tried against the request's
/// query, route and headers with the parsers binding uses. Nothing of the exception's own text is shown.
/// A whole number says its range (a [Range] on the parameter, 1 and up for an id), so a number too large
/// for its type is not told that it is no number.
/// </summary>
public static partial class BindingProblems
{
    /// <summary>The title and detail of the problem document for <paramref name="bad"/>, raised while binding <paramref name="endpoint"/>'s parameters.</summary>
    public static (string Title, string Detail) Describe(HttpContext http, BadHttpRequestException bad, Endpoint? endpoint, JsonSerializerOptions json)
    {
        var bodyType = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        if (bad.InnerException is JsonException jsonProblem)
        {
            // A syntax error comes from the reader, whose exception is itself a JsonException; a value of the wrong type has none.
            if (jsonProblem.InnerException is JsonException)
            {
                return ("Malformed JSON", $"The request body is not valid JSON (line {jsonProblem.LineNumber + 1 ?? 1}, byte {jsonProblem.BytePositionInLine + 1 ?? 1}).");
            }

            // Bytes that are not UTF-8 inside a string: the value has the right type, its text is what is wrong.
            if (Causes(jsonProblem).Any(e => e is DecoderFallbackException))
            {
                return ("Invalid value", $"{FieldName(jsonProblem.Path)}: the text is not valid UTF-8; send the body as UTF-8.");
            }

            var expected = bodyType is null ? null : MemberAt(bodyType, jsonProblem.Path, json);
            return ("Invalid value", $"{FieldName(jsonProblem.Path)}: {Expected(expected?.Type, json, expected?.Member, expected?.Name)}.");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            // A body with no Content-Type at all (with one the endpoint does not read, the router answers: DescribeEmptyProblem).
            var types = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? [];
            return ("Unsupported Media Type", $"Content-Type: {(types.Count == 0 ? "application/json" : Either(types))}.");
        }

        if (endpoint?.Metadata.GetMetadata<MethodInfo>() is { } handler && UnboundParameter(http, handler) is { } parameter)
        {
            return ("Invalid value", DescribeUnbound(parameter, json));
        }

        if (bodyType is not null && http.Request.ContentLength is null or 0 && !http.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            return ("Request body missing", $"The request body is empty: send {Expected(bodyType, json)}.");
        }

        // A JSON body that was read and bound to nothing: the literal null (no other JSON binds to no value without an error).
        if (bodyType is not null && bad.InnerException is null && bad.GetType() == typeof(BadHttpRequestException) && http.Request.HasJsonContentType())
        {
            return ("Invalid value", $"body: {Expected(bodyType, json)}, not null.");
        }

        return ("Bad request", "The request could not be read.");
    }

    private static string DescribeUnbound(Unbound parameter, JsonSerializerOptions json) =>
        $"{parameter.Name}: {(parameter.Missing ? "required, " : "")}{Expected(parameter.Type, json, parameter.Member, parameter.Name)}.";

    /// <summary>
    /// A refusal the status code pages answer with an empty problem document says why where the app can tell. A request
    /// no endpoint took (no binding ran, nothing was thrown, and the rejection carries no metadata, so the endpoints at
    /// the address are looked up): a body in a media type the endpoint does not read (415) names the types it reads,
    /// and an address that matches a route but for a constrained parameter (<c>/api/telephony/lines/abc</c>, 404)
    /// names the parameter and what it must be. An endpoint's own empty 400 (a query value that does not parse into
    /// an optional parameter, which the generated request delegates refuse without throwing) names the parameter as
    /// <see cref="Describe"/> does.
    /// </summary>
    public static void DescribeEmptyProblem(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        if (context.ProblemDetails.Detail is not null || !http.Request.Path.StartsWithSegments("/api"))
        {
            return;
        }

        var json = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        switch (context.ProblemDetails.Status)
        {
            case StatusCodes.Status415UnsupportedMediaType:
                var types = EndpointsAt(http).SelectMany(e => e.Endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? []).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                context.ProblemDetails.Detail = types.Count == 0
                    ? "Content-Type: application/json, or the media type the OpenAPI document (/openapi/v1.json) lists for this endpoint."
                    : $"Content-Type: {Either(types)}.";
                break;
            // A query or route value that does not parse into an optional parameter: the generated request delegates
            // (EnableRequestDelegateGenerator) answer 400 without the exception RouteHandlerOptions.ThrowOnBadRequest
            // asks for, so RequestBodyProblemHandler never sees it; the endpoint that ran is known here.
            case StatusCodes.Status400BadRequest when http.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>() is { } ran && UnboundParameter(http, ran) is { } unbound:
                context.ProblemDetails.Title = "Invalid value";
                context.ProblemDetails.Detail = DescribeUnbound(unbound, json);
                break;
            case StatusCodes.Status404NotFound:
                foreach (var (endpoint, values) in EndpointsAt(http))
                {
                    if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } handler)
                    {
                        continue;
                    }

                    foreach (var parameter in handler.GetParameters())
                    {
                        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
                        if (values.TryGetValue(parameter.Name!, out var value) && value is string text && TryParser(type) is { } parse && !parse(text))
                        {
                            context.ProblemDetails.Title = "Not found";
                            context.ProblemDetails.Detail = $"{parameter.Name}: {Expected(type, json, parameter, parameter.Name)}, so nothing is at this address.";
                            return;
                        }
                    }
                }

                break;
        }
    }

    /// <summary>
    /// An endpoint filter factory that holds a handler's whole-number parameters to their <see cref="RangeAttribute"/>
    /// (skip, take, expiresInDays): a value outside it is a 400 problem naming the parameter and its range, never
    /// quietly clamped. A client paging with <c>take=1000</c> got 500 rows and took the short page for the last.
    /// Handlers without such a parameter get no filter.
    /// </summary>
    public static EndpointFilterDelegate CheckRanges(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var checks = context.MethodInfo.GetParameters()
            .Select((parameter, index) => (Parameter: parameter, Index: index, Range: parameter.GetCustomAttribute<RangeAttribute>()))
            .Where(c => c.Range is not null)
            .ToArray();
        if (checks.Length == 0)
        {
            return next;
        }

        return async invocation =>
        {
            foreach (var (parameter, index, range) in checks)
            {
                if (invocation.Arguments[index] is { } value && !range!.IsValid(value))
                {
                    var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
                    return TypedResults.Problem(title: "Invalid value", statusCode: StatusCodes.Status400BadRequest,
                        detail: $"{parameter.Name}: a whole number from {WholeNumberRange(type, parameter, parameter.Name)}.");
                }
            }

            return await next(invocation);
        };
    }

    /// <summary>"a", "a or b", "a, b or c".</summary>
    private static string Either(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : $"{string.Join(", ", items.Take(items.Count - 1))} or {items[^1]}";

    /// <summary>
    /// The app's endpoints whose route template matches the request's path, leaving parameter constraints aside, and
    /// that take its method (any method with <paramref name="anyMethod"/>), with the values the template captured.
    /// </summary>
    internal static IEnumerable<(RouteEndpoint Endpoint, RouteValueDictionary Values)> EndpointsAt(HttpContext http, bool anyMethod = false)
    {
        var method = http.Request.Method;
        foreach (var endpoint in http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (!anyMethod && endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { } methods && !methods.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var values = new RouteValueDictionary();
            if (new Microsoft.AspNetCore.Routing.Template.TemplateMatcher(new Microsoft.AspNetCore.Routing.Template.RouteTemplate(endpoint.RoutePattern), new RouteValueDictionary())
                .TryMatch(http.Request.Path, values))
            {
                yield return (endpoint, values);
            }
        }
    }

    private static IEnumerable<Exception> Causes(Exception exception)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>"$.initiatedFrom.type" reads "initiatedFrom.type"; "$[0].exceptions" reads "[0].exceptions"; "$" is the body itself.</summary>
    private static string FieldName(string? path) =>
        path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path[1..];

    /// <summary>
    /// The type the serializer expected at <paramref name="path"/>, walking the same contract it read with, with the
    /// property it belongs to (its attributes) and that property's name; null when the path leaves the contract.
    /// </summary>
    private static (Type Type, ICustomAttributeProvider? Member, string? Name)? MemberAt(Type root, string? path, JsonSerializerOptions json)
    {
        var type = root;
        ICustomAttributeProvider? member = null;
        string? memberName = null;
        foreach (Match step in PathStep().Matches(path ?? ""))
        {
            var info = json.GetTypeInfo(type);
            if (step.Groups["index"].Success)
            {
                type = info.ElementType;
                member = null;
            }
            else
            {
                var name = step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value.Replace("''", "'");
                var comparison = json.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                var property = info.Kind == JsonTypeInfoKind.Dictionary ? null : info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison));
                type = info.Kind == JsonTypeInfoKind.Dictionary ? info.ElementType : property?.PropertyType;
                member = property?.AttributeProvider;
                memberName = property?.Name;
            }

            if (type is null)
            {
                return null;
            }
        }

        return (type, member, memberName);
    }

    /// <summary>
    /// What a value of <paramref name="type"/> looks like, in a client's words. A whole number names its range, so that
    /// a number out of range is not told it is no number: the member's <see cref="RangeAttribute"/>, else 1 and up for
    /// an id (a member named <c>id</c> or <c>…Id</c>), else the type's own range.
    /// </summary>
    private static string Expected(Type? type, JsonSerializerOptions json, ICustomAttributeProvider? member = null, string? name = null)
    {
        if (type is null)
        {
            return "a value of another type";
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return $"one of {string.Join(", ", Enum.GetNames(type))}";
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "true or false",
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 =>
                $"a whole number from {WholeNumberRange(type, member, name)}",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
            TypeCode.String or TypeCode.Char => "a string",
            TypeCode.DateTime => "a date and time such as 2026-12-31T18:00:00Z",
            _ when type == typeof(DateTimeOffset) => "a date and time such as 2026-12-31T18:00:00Z",
            _ when type == typeof(DateOnly) => "a date such as 2026-12-31",
            _ when type == typeof(Guid) => "a GUID",
            _ when type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && json.GetTypeInfo(type).Kind == JsonTypeInfoKind.Enumerable => "a JSON array",
            _ => "a JSON object",
        };
    }

    /// <summary>"1 to 3650": the member's declared range, an id's (1 to the type's maximum), or the integer type's.</summary>
    private static string WholeNumberRange(Type type, ICustomAttributeProvider? member, string? name)
    {
        if (member?.GetCustomAttributes(typeof(RangeAttribute), inherit: true).OfType<RangeAttribute>().FirstOrDefault() is { } range)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{range.Minimum} to {range.Maximum}");
        }

        var max = type.GetField("MaxValue")!.GetValue(null);
        var isId = name is not null && (name.Equals("id", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Id", StringComparison.Ordinal));
        var min = isId ? 1 : type.GetField("MinValue")!.GetValue(null);
        return string.Create(CultureInfo.InvariantCulture, $"{min} to {max}");
    }

    private sealed record Unbound(string Name, Type Type, bool Missing, ParameterInfo Member);

    /// <summary>
    /// The first of the handler's simple parameters (numbers, booleans, dates, enums) whose value in the
    /// route, query string or a header does not parse the way binding parses it (invariant culture), or
    /// that is required and absent.
    /// </summary>
    private static Unbound? UnboundParameter(HttpContext http, MethodInfo handler)
    {
        foreach (var parameter in handler.GetParameters())
        {
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (type == typeof(string) || TryParser(type) is not { } parse)
            {
                continue;
            }

            var (name, values) = Source(http, parameter);
            if (values is null)
            {
                var optional = parameter.HasDefaultValue || Nullable.GetUnderlyingType(parameter.ParameterType) is not null;
                if (!optional)
                {
                    return new Unbound(name, type, Missing: true, parameter);
                }

                continue;
            }

            if (!parse(values))
            {
                return new Unbound(name, type, Missing: false, parameter);
            }
        }

        return null;
    }

    /// <summary>Where binding reads the parameter from: its attribute, else the route when the route has it, else the query string.</summary>
    private static (string Name, string? Value) Source(HttpContext http, ParameterInfo parameter)
    {
        var attributes = parameter.GetCustomAttributes().ToList();
        if (attributes.OfType<IFromHeaderMetadata>().FirstOrDefault() is { } header)
        {
            var name = header.Name ?? parameter.Name!;
            return (name, http.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null);
        }

        if (attributes.OfType<IFromQueryMetadata>().FirstOrDefault() is { } query)
        {
            var name = query.Name ?? parameter.Name!;
            return (name, http.Request.Query.TryGetValue(name, out var value) ? value.ToString() : null);
        }

        var routeName = attributes.OfType<IFromRouteMetadata>().FirstOrDefault()?.Name ?? parameter.Name!;
        var route = http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.RouteValues ?? http.Request.RouteValues;
        if (route.TryGetValue(routeName, out var routed) && routed is not null)
        {
            return (routeName, Convert.ToString(routed, CultureInfo.InvariantCulture));
        }

        var queryName = parameter.Name!;
        return (queryName, http.Request.Query.TryGetValue(queryName, out var fromQuery) ? fromQuery.ToString() : null);
    }

    /// <summary>
    /// The parser binding uses for <paramref name="type"/>: Enum.TryParse for enums, else the type's static
    /// TryParse(string, IFormatProvider, out T) with the invariant culture, else TryParse(string, out T) (bool has only that one in public).
    /// </summary>
    private static Func<string, bool>? TryParser(Type type)
    {
        if (type.IsEnum)
        {
            // Binding parses an enum case-sensitively (type=email does not bind), so this does too, and such a
            // value is told the names it may take instead of that the request could not be read.
            return text => Enum.TryParse(type, text, ignoreCase: false, out _);
        }

        const BindingFlags PublicStatic = BindingFlags.Public | BindingFlags.Static;
        if (type.GetMethod("TryParse", PublicStatic, [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]) is { ReturnType: var r } withCulture && r == typeof(bool))
        {
            return text => (bool)withCulture.Invoke(null, [text, CultureInfo.InvariantCulture, null])!;
        }

        return type.GetMethod("TryParse", PublicStatic, [typeof(string), type.MakeByRefType()]) is { ReturnType: var r2 } plain && r2 == typeof(bool)
            ? text => (bool)plain.Invoke(null, [text, null])!
            : null;
    }

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>(?:[^']|'')*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();
}
