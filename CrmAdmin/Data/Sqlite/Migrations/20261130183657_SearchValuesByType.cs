using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SearchValuesByType : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A value query matches phones and number prefixes on its digits and the other entries on its text
            // (X5). FTS5 keeps no type, so a phone's digits are indexed as other characters (U+E000 + digit, which no
            // address or domain holds; SqliteExceptionSearch.IndexedPhoneText spells a query's digits the same way):
            // "12000" of type Email (5 entries) had every phone of the benchmark among its candidates, and its count
            // scanned half a million emails (239–260 ms at a million entries). The index's content is a view that
            // spells them so, for FTS5's own rebuild and integrity check; the index is built anew up to the mark.
            migrationBuilder.Sql($"""
                DROP TRIGGER "ExceptionEntries_SearchDelete";
                DROP TRIGGER "ExceptionEntries_SearchUpdate";
                DROP TABLE "ExceptionSearch";
                CREATE VIEW "ExceptionSearchSource" AS SELECT "Id", "CommentFolded", {IndexedValue("")} AS "Value" FROM "ExceptionEntries";
                CREATE VIRTUAL TABLE "ExceptionSearch" USING fts5("CommentFolded", "Value",
                    content='ExceptionSearchSource', content_rowid='Id', tokenize='trigram case_sensitive 1', detail=none);
                INSERT INTO "ExceptionSearch" (rowid, "CommentFolded", "Value")
                SELECT "Id", "CommentFolded", "Value" FROM "ExceptionSearchSource" WHERE "Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState");
                {Triggers(IndexedValue("old."), IndexedValue("new."))}
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                DROP TRIGGER "ExceptionEntries_SearchDelete";
                DROP TRIGGER "ExceptionEntries_SearchUpdate";
                DROP TABLE "ExceptionSearch";
                DROP VIEW "ExceptionSearchSource";
                CREATE VIRTUAL TABLE "ExceptionSearch" USING fts5("CommentFolded", "Value",
                    content='ExceptionEntries', content_rowid='Id', tokenize='trigram case_sensitive 1', detail=none);
                INSERT INTO "ExceptionSearch" (rowid, "CommentFolded", "Value")
                SELECT "Id", "CommentFolded", "Value" FROM "ExceptionEntries" WHERE "Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState");
                {Triggers("old.\"Value\"", "new.\"Value\"")}
                """);
        }

        /// <summary>The value as the index holds it: a phone's or number prefix's digits as U+E000 + digit.</summary>
        private static string IndexedValue(string row)
        {
            var value = $"{row}\"Value\"";
            for (var digit = 0; digit <= 9; digit++)
            {
                value = $"replace({value}, '{digit}', char({0xE000 + digit}))";
            }

            return $"""CASE WHEN {row}"Type" IN ('Phone', 'PhonePrefix') THEN {value} ELSE {row}"Value" END""";
        }

        /// <summary>
        /// The triggers of migration SearchCommentDictionary, with the value the index holds: an indexed row that
        /// changes or goes leaves the index with the values it was indexed with.
        /// </summary>
        private static string Triggers(string oldValue, string newValue) => $"""
            CREATE TRIGGER "ExceptionEntries_SearchDelete" AFTER DELETE ON "ExceptionEntries"
            WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
            BEGIN
                INSERT INTO "ExceptionSearch" ("ExceptionSearch", rowid, "CommentFolded", "Value")
                VALUES ('delete', old."Id", old."CommentFolded", {oldValue});
                DELETE FROM "ExceptionSearchCommentEntries" WHERE "EntryId" = old."Id" AND "CommentId" =
                    (SELECT "Id" FROM "ExceptionSearchComments" WHERE "CommentFolded" = old."CommentFolded" AND "Type" = old."Type");
            END;
            CREATE TRIGGER "ExceptionEntries_SearchUpdate" AFTER UPDATE OF "CommentFolded", "Value", "Type" ON "ExceptionEntries"
            WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
            BEGIN
                INSERT INTO "ExceptionSearch" ("ExceptionSearch", rowid, "CommentFolded", "Value")
                VALUES ('delete', old."Id", old."CommentFolded", {oldValue});
                INSERT INTO "ExceptionSearch" (rowid, "CommentFolded", "Value")
                VALUES (new."Id", new."CommentFolded", {newValue});
                DELETE FROM "ExceptionSearchCommentEntries" WHERE "EntryId" = old."Id" AND "CommentId" =
                    (SELECT "Id" FROM "ExceptionSearchComments" WHERE "CommentFolded" = old."CommentFolded" AND "Type" = old."Type");
                INSERT OR IGNORE INTO "ExceptionSearchComments" ("CommentFolded", "Type")
                SELECT new."CommentFolded", new."Type" WHERE new."CommentFolded" IS NOT NULL;
                INSERT OR IGNORE INTO "ExceptionSearchCommentEntries" ("CommentId", "EntryId")
                SELECT "Id", new."Id" FROM "ExceptionSearchComments" WHERE "CommentFolded" = new."CommentFolded" AND "Type" = new."Type";
            END;
            """;
    }
}
