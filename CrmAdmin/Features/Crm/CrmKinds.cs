using CrmAdmin.Domain.Crm;

namespace CrmAdmin.Features.Crm;

/// <summary>Names and paths of the four entity types, in one place for pages, links and the API.</summary>
public static class CrmKinds
{
    public static readonly CrmEntityType[] All = [CrmEntityType.Lead, CrmEntityType.Deal, CrmEntityType.Contact, CrmEntityType.Company];

    public static string Plural(CrmEntityType type) => type switch
    {
        CrmEntityType.Company => "Companies",
        _ => type + "s",
    };

    public static string ListPath(CrmEntityType type) => "crm/" + CrmEndpoints.PathOf(type);

    public static string DetailPath(CrmEntityType type, long id) => $"crm/{CrmEndpoints.PathOf(type)}/{id}";

    public static CrmEntityType FromPath(string path) =>
        All.FirstOrDefault(t => path.Contains("/" + CrmEndpoints.PathOf(t), StringComparison.OrdinalIgnoreCase));

    public static bool HasTitle(CrmEntityType type) => type is CrmEntityType.Lead or CrmEntityType.Deal;

    public static bool HasContactPoints(CrmEntityType type) => type != CrmEntityType.Deal;

    public static string Split(string? text) => text ?? "";

    public static string[] Items(string? text) =>
        (text ?? "").Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
