using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ShortValueTexts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A value text of one or two characters has no trigram, so "qz" or "é" among half a million addresses was
            // a scan of them: 100–330 ms at a million entries. A trigram index of the values of the types other than
            // phones (a phone holds every digit and most pairs of digits, so a scan finds its matches at once), each
            // followed by two end marks (U+E00A, private use), has every one- or two-character text of a value at the
            // start of one of its trigrams: SqliteExceptionSearch reads those trigrams from the index's vocabulary and
            // asks for any of them. An index of its own, so the comments' trigrams are not among them. Each value is
            // preceded by its type as a trigram of one private-use character (SqliteExceptionSearch.ValueTypeMarks), so
            // the index answers a filter's type too, and its candidates are the filter's exact matches.
            // It trails the entries as "ExceptionSearch" does: the indexer adds rows up to its mark, these triggers
            // take indexed rows out (FTS5's external content must be given the text it indexed).
            migrationBuilder.Sql($"""
                CREATE VIEW "ExceptionValueSearchSource" AS SELECT "Id", {Indexed("")} AS "Value" FROM "ExceptionEntries" WHERE {IsOther("")};
                CREATE VIRTUAL TABLE "ExceptionValueSearch" USING fts5("Value",
                    content='ExceptionValueSearchSource', content_rowid='Id', tokenize='trigram case_sensitive 1', detail=none);
                CREATE VIRTUAL TABLE "ExceptionValueSearchTerms" USING fts5vocab('ExceptionValueSearch', 'row');
                INSERT INTO "ExceptionValueSearch" (rowid, "Value")
                SELECT "Id", "Value" FROM "ExceptionValueSearchSource" WHERE "Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState");
                CREATE TRIGGER "ExceptionEntries_ValueSearchDelete" AFTER DELETE ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {IsOther("old.")}
                BEGIN
                    INSERT INTO "ExceptionValueSearch" ("ExceptionValueSearch", rowid, "Value") VALUES ('delete', old."Id", {Indexed("old.")});
                END;
                CREATE TRIGGER "ExceptionEntries_ValueSearchUpdate" AFTER UPDATE OF "Value", "Type" ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
                BEGIN
                    INSERT INTO "ExceptionValueSearch" ("ExceptionValueSearch", rowid, "Value")
                    SELECT 'delete', old."Id", {Indexed("old.")} WHERE {IsOther("old.")};
                    INSERT INTO "ExceptionValueSearch" (rowid, "Value") SELECT new."Id", {Indexed("new.")} WHERE {IsOther("new.")};
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "ExceptionEntries_ValueSearchDelete";
                DROP TRIGGER "ExceptionEntries_ValueSearchUpdate";
                DROP TABLE "ExceptionValueSearchTerms";
                DROP TABLE "ExceptionValueSearch";
                DROP VIEW "ExceptionValueSearchSource";
                """);
        }

        /// <summary>
        /// The row's value as the index holds it: its type as three of one private-use character (U+E011 Email, U+E012
        /// EmailDomain, U+E013 EmailDomainTree, U+E010 any other), the value, and two end marks (U+E00A), so its last
        /// character and last pair start a trigram too.
        /// </summary>
        private static string Indexed(string row) => $"""
            CASE {row}"Type" WHEN 'Email' THEN char(57361, 57361, 57361) WHEN 'EmailDomain' THEN char(57362, 57362, 57362)
                WHEN 'EmailDomainTree' THEN char(57363, 57363, 57363) ELSE char(57360, 57360, 57360) END || {row}"Value" || char(57354, 57354)
            """;

        /// <summary>Whether the row's type is one of those other than phones and number prefixes.</summary>
        private static string IsOther(string row) => $"""{row}"Type" NOT IN ('Phone', 'PhonePrefix')""";
    }
}
