using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SearchCommentDictionary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A list's comments repeat: an import gives its lines one comment, so a million entries held
            // 8,000 comments in the benchmark. A comment filter looks its text up among the distinct pairs of
            // comment and entry type ("ExceptionSearchComments", kept by the indexer and never pruned: a pair no
            // entry holds any more finds nothing) and then the entries holding them by key, of one type when the
            // filter names it (PostgresExceptionSearch). The trigram index over every search row is read per match:
            // "former employee batch 1", whose words every tenth entry holds, cost 26–36 ms before a single row was
            // fetched, and "telemarketing" of type Phone, which no entry is, was a scan of every entry (130 ms).
            // The search rows learn their entry's type for it, and a changed type is indexed again. The table
            // is built anew rather than updated in place: an UPDATE of every row left a million dead rows in
            // both trigram indexes until a vacuum, and every filter read them twice as long.
            migrationBuilder.Sql("""
                SET LOCAL maintenance_work_mem = '256MB';
                CREATE TABLE "ExceptionSearchTyped" (
                    "EntryId" bigint NOT NULL,
                    "Type" character varying(16) NOT NULL,
                    "CommentFolded" character varying(500),
                    "Value" character varying(320) NOT NULL,
                    "Generation" integer GENERATED ALWAYS AS (("EntryId" >> 16)::integer) STORED NOT NULL);
                INSERT INTO "ExceptionSearchTyped" ("EntryId", "Type", "CommentFolded", "Value")
                SELECT s."EntryId", e."Type", s."CommentFolded", s."Value"
                FROM "ExceptionSearch" AS s JOIN "ExceptionEntries" AS e ON e."Id" = s."EntryId" ORDER BY s."EntryId";
                DROP TABLE "ExceptionSearch";
                ALTER TABLE "ExceptionSearchTyped" RENAME TO "ExceptionSearch";
                ALTER TABLE "ExceptionSearch" ADD CONSTRAINT "PK_ExceptionSearch" PRIMARY KEY ("EntryId");
                CREATE INDEX "IX_ExceptionSearch_CommentFolded_Trigram" ON "ExceptionSearch" USING gin ("Generation", "CommentFolded" gin_trgm_ops);
                CREATE INDEX "IX_ExceptionSearch_Value_Trigram" ON "ExceptionSearch" USING gin ("Generation", "Value" gin_trgm_ops);
                CREATE INDEX "IX_ExceptionSearch_CommentFolded_Type_EntryId" ON "ExceptionSearch" ("CommentFolded", "Type", "EntryId");
                ANALYZE "ExceptionSearch";

                CREATE TABLE "ExceptionSearchComments" (
                    "CommentFolded" character varying(500) NOT NULL,
                    "Type" character varying(16) NOT NULL,
                    CONSTRAINT "PK_ExceptionSearchComments" PRIMARY KEY ("CommentFolded", "Type"));
                CREATE INDEX "IX_ExceptionSearchComments_Trigram" ON "ExceptionSearchComments" USING gin ("CommentFolded" gin_trgm_ops);
                INSERT INTO "ExceptionSearchComments" ("CommentFolded", "Type")
                SELECT DISTINCT "CommentFolded", "Type" FROM "ExceptionSearch" WHERE "CommentFolded" IS NOT NULL;
                ANALYZE "ExceptionSearchComments";

                DROP TRIGGER "ExceptionEntries_Search_Changed" ON "ExceptionEntries";
                CREATE TRIGGER "ExceptionEntries_Search_Changed" AFTER UPDATE OF "Value", "CommentFolded", "Type" ON "ExceptionEntries"
                    FOR EACH ROW WHEN (OLD."Value" IS DISTINCT FROM NEW."Value" OR OLD."CommentFolded" IS DISTINCT FROM NEW."CommentFolded"
                        OR OLD."Type" IS DISTINCT FROM NEW."Type")
                    EXECUTE FUNCTION crm_exception_search_changed();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "ExceptionEntries_Search_Changed" ON "ExceptionEntries";
                CREATE TRIGGER "ExceptionEntries_Search_Changed" AFTER UPDATE OF "Value", "CommentFolded" ON "ExceptionEntries"
                    FOR EACH ROW WHEN (OLD."Value" IS DISTINCT FROM NEW."Value" OR OLD."CommentFolded" IS DISTINCT FROM NEW."CommentFolded")
                    EXECUTE FUNCTION crm_exception_search_changed();
                DROP TABLE "ExceptionSearchComments";
                DROP INDEX "IX_ExceptionSearch_CommentFolded_Type_EntryId";
                ALTER TABLE "ExceptionSearch" DROP COLUMN "Type";
                """);
        }
    }
}
