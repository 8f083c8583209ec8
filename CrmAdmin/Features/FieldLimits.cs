namespace CrmAdmin.Features;

/// <summary>
/// The most any string or list the app takes may hold, in one place (P5, SPEC §9). The services
/// check them, so the API (400 with a problem document naming the field and the limit) and the
/// pages (the same message) refuse alike. Where a database column has a maximum length the limit
/// equals it (a test compares them with the EF model); the other limits keep one request from
/// filling a row, a page or the audit log with megabytes.
/// </summary>
public static class FieldLimits
{
    /// <summary>A contact's or company's name, a lead's or deal's title (column: 200).</summary>
    public const int Title = 200;

    /// <summary>An email address or a raw email as typed before normalization (column: 320, RFC 5321's 64 + 1 + 255).</summary>
    public const int Email = 320;

    /// <summary>A phone number as typed, before normalization (the normalized E.164 form is far shorter).</summary>
    public const int RawPhone = 64;

    /// <summary>Phones, and emails, per entity.</summary>
    public const int ContactPointsPerEntity = 50;

    /// <summary>A telephony line's name (column: 100).</summary>
    public const int LineName = 100;

    /// <summary>An email's Message-ID and In-Reply-To (column: 500).</summary>
    public const int MessageId = 500;

    /// <summary>The message ids an email's References may list: a long thread fits, a megabyte of ids does not.</summary>
    public const int References = 100;

    /// <summary>A raw email (message/rfc822) routing reads: headers and a body; only the headers are used.</summary>
    public const int RawMessageBytes = 1024 * 1024;

    /// <summary>An email's subject: RFC 5322's line length. What is stored is cut to the activity summary's 500.</summary>
    public const int Subject = 998;

    /// <summary>The name a chat or form gives (it becomes an entity's title).</summary>
    public const int PersonName = Title;

    /// <summary>A password: long pass phrases fit, megabytes to hash do not.</summary>
    public const int Password = 128;

    /// <summary>The role names a permissions change lists at once.</summary>
    public const int RolesPerChange = 100;

    /// <summary>A user's id in a route (Identity's ids are GUIDs, 36 characters; the column allows more).</summary>
    public const int UserId = 450;

    /// <summary>An audit log filter's user or value text.</summary>
    public const int AuditFilter = 320;

    /// <summary>An audit row's details (column: 1000): longer text is cut, never refused.</summary>
    public const int AuditDetails = 1000;

    /// <summary>Throws <see cref="FieldTooLongException"/> when <paramref name="value"/> is longer than <paramref name="max"/> characters.</summary>
    public static string? Check(string? value, int max, string field) =>
        value is { Length: var length } && length > max ? throw new FieldTooLongException(field, max, "characters") : value;

    /// <summary>
    /// Throws <see cref="FieldTooLongException"/> when <paramref name="items"/> has more than
    /// <paramref name="max"/> items, and <see cref="NullItemException"/> when one of them is null (JSON's
    /// <c>[null]</c> binds, and would otherwise fail deeper down as a 500).
    /// </summary>
    public static IReadOnlyCollection<T>? CheckCount<T>(IReadOnlyCollection<T>? items, int max, string field)
    {
        if (items is null)
        {
            return null;
        }

        if (items.Count > max)
        {
            throw new FieldTooLongException(field, max, "items");
        }

        var index = 0;
        foreach (var item in items)
        {
            if (item is null)
            {
                throw new NullItemException(field, index);
            }

            index++;
        }

        return items;
    }
}

/// <summary>A list sent with a null item (<c>[null]</c>): 400 from the API, naming the item.</summary>
public sealed class NullItemException(string field, int index) : RequestRefusedException($"{field}[{index}]: a value, not null.");

/// <summary>A value longer than its <see cref="FieldLimits"/> limit: 400 from the API, a message on a page.</summary>
public sealed class FieldTooLongException(string field, int max, string unit)
    : RequestRefusedException($"{field}: at most {max:N0} {unit}.")
{
    /// <summary>The field as the API names it (camelCase).</summary>
    public string Field { get; } = field;

    public int Max { get; } = max;
}
