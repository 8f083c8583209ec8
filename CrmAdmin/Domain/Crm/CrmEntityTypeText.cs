namespace CrmAdmin.Domain.Crm;

public static class CrmEntityTypeText
{
    /// <summary>The type as a word in a sentence: "lead", "deal", "contact", "company".</summary>
    public static string Noun(this CrmEntityType type) => type.ToString().ToLowerInvariant();
}
