namespace CrmAdmin.Data;

/// <summary>
/// A LIKE pattern matching <c>text</c> anywhere, with the person's own % and _ taken literally.
/// LIKE rather than Contains: SQLite's LIKE ignores ASCII case, as people expect of a search box.
/// </summary>
public static class LikePattern
{
    public const string Escape = "\\";

    public static string Containing(string text) =>
        "%" + text.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
