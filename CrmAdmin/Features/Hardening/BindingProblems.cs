using System.Collections;
using System.Globalization;
using System.Reflection;
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

            var expected = bodyType is null ? null : TypeAt(bodyType, jsonProblem.Path, json);
            return ("Invalid value", $"{FieldName(jsonProblem.Path)}: {Expected(expected, json)}.");
        }

        if (endpoint?.Metadata.GetMetadata<MethodInfo>() is { } handler && UnboundParameter(http, handler) is { } parameter)
        {
            return ("Invalid value", $"{parameter.Name}: {(parameter.Missing ? "required, " : "")}{Expected(parameter.Type, json)}.");
        }

        if (bodyType is not null && http.Request.ContentLength is null or 0 && !http.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            return ("Request body missing", $"The request body is empty: send {Expected(bodyType, json)}.");
        }

        return ("Bad request", "The request could not be read.");
    }

    /// <summary>
    /// A body in a media type no endpoint at the address reads gets a bare 415 from routing's own rejection
    /// endpoint (no binding ran, nothing is thrown, and that endpoint carries no metadata to name the types);
    /// the status code pages' problem document says what the API reads instead.
    /// </summary>
    public static void NameAcceptedMediaTypes(ProblemDetailsContext context)
    {
        if (context.ProblemDetails is { Status: StatusCodes.Status415UnsupportedMediaType, Detail: null } && context.HttpContext.Request.Path.StartsWithSegments("/api"))
        {
            context.ProblemDetails.Detail = "Content-Type: application/json, or the media type the OpenAPI document (/openapi/v1.json) lists for this endpoint.";
        }
    }

    /// <summary>"$.initiatedFrom.type" reads "initiatedFrom.type"; "$[0].exceptions" reads "[0].exceptions"; "$" is the body itself.</summary>
    private static string FieldName(string? path) =>
        path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path[1..];

    /// <summary>The type the serializer expected at <paramref name="path"/>, walking the same contract it read with; null when the path leaves it.</summary>
    private static Type? TypeAt(Type root, string? path, JsonSerializerOptions json)
    {
        var type = root;
        foreach (Match step in PathStep().Matches(path ?? ""))
        {
            var info = json.GetTypeInfo(type);
            if (step.Groups["index"].Success)
            {
                type = info.ElementType;
            }
            else
            {
                var name = step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value.Replace("''", "'");
                var comparison = json.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                type = info.Kind == JsonTypeInfoKind.Dictionary
                    ? info.ElementType
                    : info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison))?.PropertyType;
            }

            if (type is null)
            {
                return null;
            }
        }

        return type;
    }

    /// <summary>What a value of <paramref name="type"/> looks like, in a client's words.</summary>
    private static string Expected(Type? type, JsonSerializerOptions json)
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
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 => "a whole number",
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

    private sealed record Unbound(string Name, Type Type, bool Missing);

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
                    return new Unbound(name, type, Missing: true);
                }

                continue;
            }

            if (!parse(values))
            {
                return new Unbound(name, type, Missing: false);
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
            return text => Enum.TryParse(type, text, ignoreCase: true, out _);
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
