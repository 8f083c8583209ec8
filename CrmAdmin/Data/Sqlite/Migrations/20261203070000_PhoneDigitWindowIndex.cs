using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <summary>
    /// The phones' and number prefixes' digit windows (<see cref="SqlitePhoneDigitWindows"/>), for X5's value filter on a query's
    /// digits: every phone of the benchmark's million entries starts <c>+12000</c>, so FTS5's trigrams of a digit text narrow nothing
    /// ("2000000", 500 matches: 286 / 434 ms p50 / p95 at 1M; "0000": 240 / 376). A window's rows are read by key instead. Filled here for
    /// the entries the search index has reached, then by the indexer; the triggers keep an indexed entry's windows when it is removed or
    /// its value or type changes, as those of the trigram indexes do.
    /// </summary>
    public partial class PhoneDigitWindowIndex : Migration
    {
        // The names, the key scheme and the statements as this migration wrote them, not as the app's code has them now: a database
        // made later runs this same SQL, and a change to the scheme (SqlitePhoneDigitWindows, which must agree with it) is a migration
        // of its own, which rewrites the table and the triggers.
        private const string Table = "ExceptionPhoneDigitWindows";
        private const string PositionsTable = "ExceptionDigitPositions";

        /// <summary>SqlitePhoneDigitWindows.Select as of this migration: every 4- and 6-digit window of the phones among <paramref name="source"/>'s rows.</summary>
        private static string Select(string source) => $"""
            SELECT CAST(CASE x."Type" WHEN 'Phone' THEN '1' ELSE '2' END || substr(x."Digits", s."Position", n."Position") AS INTEGER) AS "Window", x."Id" AS "EntryId"
            FROM (SELECT "Id", "Type", replace(replace("Value", '+', ''), '*', '') AS "Digits" FROM ({source}) WHERE "Type" IN ('Phone', 'PhonePrefix')) AS x
            JOIN "{PositionsTable}" AS n ON n."Position" IN (4, 6)
            JOIN "{PositionsTable}" AS s ON s."Position" <= length(x."Digits") - n."Position" + 1
            WHERE substr(x."Digits", s."Position", n."Position") NOT GLOB '*[^0-9]*'
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            const string table = Table;
            migrationBuilder.Sql($"""
                CREATE TABLE "{PositionsTable}" ("Position" INTEGER NOT NULL CONSTRAINT "PK_{PositionsTable}" PRIMARY KEY);
                WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 16)
                INSERT INTO "{PositionsTable}" ("Position") SELECT i FROM k;
                CREATE TABLE "{table}" (
                    "Window" INTEGER NOT NULL,
                    "EntryId" INTEGER NOT NULL,
                    CONSTRAINT "PK_{table}" PRIMARY KEY ("Window", "EntryId")) WITHOUT ROWID;
                """);
            // In key order, so the table is written page after page (an earlier form of this statement took 21 s so, 27 s unsorted): the
            // benchmark's copy, 7 million windows of 500,000 phones, answered 10–20 s after the app started, this migration included.
            // Unmapped while it reads every entry once (SqliteDurabilityInterceptor maps the file): mapped, the pages it read stayed in the
            // process's resident set, 335 MB of file pages after start against 110, and T2's peak working set went from 534–541 MB to 742.
            migrationBuilder.Sql($"""
                PRAGMA mmap_size=0;
                INSERT OR IGNORE INTO "{table}" ("Window", "EntryId")
                SELECT "Window", "EntryId" FROM ({Select("""
                    SELECT "Id", "Type", "Value" FROM "ExceptionEntries" WHERE "Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
                    """)})
                ORDER BY 1, 2;
                PRAGMA mmap_size=1073741824;
                """);
            var old = """SELECT old."Id" AS "Id", old."Type" AS "Type", old."Value" AS "Value" """;
            var added = """SELECT new."Id" AS "Id", new."Type" AS "Type", new."Value" AS "Value" """;
            // The old windows are deleted by key (the primary key starts with the window, and an entry has at most 20 of them).
            var deleteOld = $"""
                DELETE FROM "{table}" WHERE "EntryId" = old."Id" AND "Window" IN (SELECT "Window" FROM ({Select(old)}));
                """;
            migrationBuilder.Sql($"""
                CREATE TRIGGER "ExceptionEntries_PhoneWindowsDelete" AFTER DELETE ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND old."Type" IN ('Phone', 'PhonePrefix')
                BEGIN
                    {deleteOld}
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER "ExceptionEntries_PhoneWindowsUpdate" AFTER UPDATE OF "Value", "Type" ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
                BEGIN
                    {deleteOld}
                    INSERT OR IGNORE INTO "{table}" ("Window", "EntryId") {Select(added)};
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                DROP TRIGGER "ExceptionEntries_PhoneWindowsUpdate";
                DROP TRIGGER "ExceptionEntries_PhoneWindowsDelete";
                DROP TABLE "{Table}";
                DROP TABLE "{PositionsTable}";
                """);
        }
    }
}
