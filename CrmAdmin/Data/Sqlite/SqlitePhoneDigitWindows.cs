using System.Globalization;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;

namespace CrmAdmin.Data.Sqlite;

/// <summary>
/// SQLite's index of the phones' and number prefixes' digit windows (<see cref="PhoneDigitWindows"/>, X5's value filter on a
/// query's digits): the table "ExceptionPhoneDigitWindows" (migration PhoneDigitWindowIndex), one row per window of an entry the
/// search index has reached (id at most "IndexedUpTo"), filled by <see cref="ExceptionSearchIndexer"/> with the trigram indexes
/// and kept by triggers when such an entry is removed or its value or type changes. Trigrams narrow nothing among the
/// benchmark's million <c>+12000…</c> phones ("2000000": 286 / 434 ms p50 / p95 at 1M); a window's rows are read by key.
/// The migration, the indexer and the triggers all write the windows through <see cref="Select"/>, so they agree; tests hold it
/// to <see cref="PhoneDigitWindows.Of"/>.
/// </summary>
public static class SqlitePhoneDigitWindows
{
    /// <summary>The windows' table: ("Window" INTEGER, "EntryId" INTEGER), its primary key in that order, WITHOUT ROWID.</summary>
    public const string Table = "ExceptionPhoneDigitWindows";

    /// <summary>The numbers 1 … <see cref="Positions"/> ("Position" INTEGER PRIMARY KEY), where a window may start: SQLite's triggers cannot use WITH.</summary>
    public const string PositionsTable = "ExceptionDigitPositions";

    /// <summary>How many positions <see cref="PositionsTable"/> holds: E.164 has at most 15 digits (ContactPointNormalizer.MaxPhoneDigits), so 16 is room enough.</summary>
    public const int Positions = 16;

    /// <summary>
    /// A window as the table keys it: the digit of the entry's type (1 a phone, 2 a number prefix) followed by the window's digits, read as an
    /// integer, so that leading zeros, the window's length and the type all stay apart ("0000" of a phone is 10000, "000000" of a prefix
    /// 2000000). A type in the key lets a filter of one type read only that type's rows: "2000" of type PhonePrefix would otherwise read the
    /// rows of the benchmark's 500,000 phones to find none.
    /// </summary>
    /// <exception cref="ArgumentException">For a type that is no phone type, or a window that is not 4 or 6 ASCII digits.</exception>
    public static long Key(EntryType type, string window)
    {
        if (window.Length is not (PhoneDigitWindows.ShortLength or PhoneDigitWindows.LongLength) || !window.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("A window is 4 or 6 ASCII digits.", nameof(window));
        }

        return long.Parse(TypeDigit(type) + window, CultureInfo.InvariantCulture);
    }

    /// <summary>The type and the window's digits of a <see cref="Key"/>.</summary>
    public static (EntryType Type, string Window) FromKey(long key)
    {
        var text = key.ToString(CultureInfo.InvariantCulture);
        return (text[0] == '1' ? EntryType.Phone : EntryType.PhonePrefix, text[1..]);
    }

    private static string TypeDigit(EntryType type) => type switch
    {
        EntryType.Phone => "1",
        EntryType.PhonePrefix => "2",
        _ => throw new ArgumentException("Only phones and number prefixes have digit windows.", nameof(type)),
    };

    /// <summary>
    /// A SELECT of ("Window", "EntryId") for every window of the phones and number prefixes among the rows of <paramref name="source"/>,
    /// a SELECT with the columns "Id", "Type" and "Value" (the entries' store names, or a trigger's old. or new. values). The value's
    /// '+' and a prefix's '*' are dropped, as E.164 has nothing else but digits, and only runs of digits are windows; a window a value
    /// holds twice comes twice (insert with OR IGNORE). Type names as the entries store them, as the search migrations write them.
    /// </summary>
    public static string Select(string source) => $"""
        SELECT CAST(CASE x."Type" WHEN 'Phone' THEN '1' ELSE '2' END || substr(x."Digits", s."Position", n."Position") AS INTEGER) AS "Window", x."Id" AS "EntryId"
        FROM (SELECT "Id", "Type", replace(replace("Value", '+', ''), '*', '') AS "Digits" FROM ({source}) WHERE "Type" IN ('Phone', 'PhonePrefix')) AS x
        JOIN "{PositionsTable}" AS n ON n."Position" IN ({PhoneDigitWindows.ShortLength}, {PhoneDigitWindows.LongLength})
        JOIN "{PositionsTable}" AS s ON s."Position" <= length(x."Digits") - n."Position" + 1
        WHERE substr(x."Digits", s."Position", n."Position") NOT GLOB '*[^0-9]*'
        """;

    /// <summary>The statement adding the windows of <paramref name="source"/>'s rows (see <see cref="Select"/>).</summary>
    public static string Insert(string source) => $"""
        INSERT OR IGNORE INTO "{Table}" ("Window", "EntryId") {Select(source)};
        """;
}
