using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CrmAdmin.Features.Hardening;

/// <summary>
/// P5, SPEC §9: enums travel as their names, and only defined names are accepted. A number (7, -1),
/// a numeric string ("7") or a combination ("View, Edit") in JSON is a 400, and so is an undefined
/// value in a query string or route, which minimal APIs would otherwise parse with Enum.TryParse.
/// "exceptions": 7 once stored a level above Edit.
/// </summary>
public sealed class DefinedEnumConverterFactory : JsonConverterFactory
{
    private readonly JsonStringEnumConverter names = new(namingPolicy: null, allowIntegerValues: false);

    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(DefinedEnumConverter<>).MakeGenericType(typeToConvert), names.CreateConverter(typeToConvert, options))!;

    private sealed class DefinedEnumConverter<T>(JsonConverter inner) : JsonConverter<T> where T : struct, Enum
    {
        private readonly JsonConverter<T> names = (JsonConverter<T>)inner;

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"{typeof(T).Name}: one of {string.Join(", ", Enum.GetNames<T>())}, as a string.");
            }

            var text = reader.GetString() ?? "";
            // A name never starts with a digit or sign, and a comma would combine two values.
            if (text.TrimStart() is { Length: > 0 } trimmed && (char.IsAsciiDigit(trimmed[0]) || trimmed[0] is '-' or '+') || text.Contains(','))
            {
                throw new JsonException($"{typeof(T).Name}: one of {string.Join(", ", Enum.GetNames<T>())}.");
            }

            var value = names.Read(ref reader, typeToConvert, options);
            return Enum.IsDefined(value) ? value : throw new JsonException($"{typeof(T).Name}: one of {string.Join(", ", Enum.GetNames<T>())}.");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => names.Write(writer, value, options);
    }
}

/// <summary>The endpoint filter that refuses an undefined enum value bound from the query string or route (400).</summary>
public static class DefinedEnums
{
    /// <summary>Added to the group every API endpoint is mapped in; endpoints with no enum parameter get no filter at all.</summary>
    public static EndpointFilterDelegate Filter(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        var enums = factory.MethodInfo.GetParameters()
            .Select((p, i) => (Index: i, p.Name, Type: Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType))
            .Where(p => p.Type.IsEnum)
            .ToList();
        if (enums.Count == 0)
        {
            return next;
        }

        return async context =>
        {
            foreach (var (index, name, type) in enums)
            {
                if (context.Arguments[index] is { } value && !Enum.IsDefined(type, value))
                {
                    return TypedResults.Problem($"{name}: one of {string.Join(", ", Enum.GetNames(type))}.",
                        statusCode: StatusCodes.Status400BadRequest, title: "Invalid value");
                }
            }

            return await next(context);
        };
    }

    /// <summary>
    /// OpenAPI schema transformer: an enum's schema is a string of its defined names, as the API reads and writes them
    /// (<see cref="DefinedEnumConverterFactory"/>). The document generator cannot see through that converter and
    /// described every enum as <c>{}</c>, so a client could not learn that a call's direction is Incoming or Outgoing.
    /// </summary>
    public static Task DescribeAsNamesAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type.IsEnum)
        {
            // Whether null is allowed stays the generator's to say.
            schema.Type = (schema.Type ?? 0) & JsonSchemaType.Null | JsonSchemaType.String;
            schema.Enum = Enum.GetNames(type).Select(name => (JsonNode)JsonValue.Create(name)).ToList();
        }

        return Task.CompletedTask;
    }
}
