namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// Keeps free text in an exported CSV from running as a formula when a spreadsheet opens it (I6),
/// while export → import still round-trips: a cell that could start a formula, or that already
/// starts with the quote we add, gets one leading <c>'</c>, and import strips exactly one.
/// </summary>
public static class SpreadsheetSafeText
{
    private const char Guard = '\'';

    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        return text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n' or Guard ? Guard + text : text;
    }

    public static string Unescape(string text) => text.Length > 0 && text[0] == Guard ? text[1..] : text;
}
