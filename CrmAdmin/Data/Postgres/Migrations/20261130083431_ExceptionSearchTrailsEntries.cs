using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ExceptionSearchTrailsEntries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The trigram indexes move off the entries to a table of their own that trails them
            // (PostgresExceptionSearch): GIN insertion was half of a 100k-line import's time, and the
            // indexer now pays it in the background. Not in the EF model, like SQLite's FTS5 table: it is
            // written by triggers and the indexer only, and read by PostgresExceptionSearch.
            migrationBuilder.Sql("""
                DROP INDEX "IX_ExceptionEntries_CommentFolded_Trigram";
                DROP INDEX "IX_ExceptionEntries_Value_Trigram";

                CREATE TABLE "ExceptionSearch" (
                    "EntryId" bigint NOT NULL CONSTRAINT "PK_ExceptionSearch" PRIMARY KEY,
                    "CommentFolded" character varying(500),
                    "Value" character varying(320) NOT NULL);
                CREATE INDEX "IX_ExceptionSearch_CommentFolded_Trigram" ON "ExceptionSearch" USING gin ("CommentFolded" gin_trgm_ops);
                CREATE INDEX "IX_ExceptionSearch_Value_Trigram" ON "ExceptionSearch" USING gin ("Value" gin_trgm_ops);

                -- Ranges of entry ids written since the indexer last ran: read from the entries themselves
                -- until indexed, so the filters are exact at every moment.
                CREATE TABLE "ExceptionSearchBacklog" (
                    "Id" bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT "PK_ExceptionSearchBacklog" PRIMARY KEY,
                    "FromId" bigint NOT NULL,
                    "ToId" bigint NOT NULL);

                -- One row per INSERT statement, however many entries it added (a 100k-line import's batch
                -- adds one), in the writer's transaction: no write path can forget it.
                CREATE FUNCTION crm_exception_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "ExceptionSearchBacklog" ("FromId", "ToId")
                    SELECT min("Id"), max("Id") FROM added HAVING count(*) > 0;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "ExceptionEntries_Search_Inserted" AFTER INSERT ON "ExceptionEntries"
                    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION crm_exception_search_inserted();

                -- A changed value or comment is indexed again; a hit (HitCount, LastHitAt) fires nothing.
                CREATE FUNCTION crm_exception_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "ExceptionSearchBacklog" ("FromId", "ToId") VALUES (NEW."Id", NEW."Id");
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "ExceptionEntries_Search_Changed" AFTER UPDATE OF "Value", "CommentFolded" ON "ExceptionEntries"
                    FOR EACH ROW WHEN (OLD."Value" IS DISTINCT FROM NEW."Value" OR OLD."CommentFolded" IS DISTINCT FROM NEW."CommentFolded")
                    EXECUTE FUNCTION crm_exception_search_changed();

                -- Removed entries leave the index in the same statement. (A search row the indexer writes for
                -- an entry removed at that very moment stays behind; it is harmless: a candidate is only
                -- ever an id the filter then looks up among the entries.)
                CREATE FUNCTION crm_exception_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM "ExceptionSearch" AS s USING removed AS r WHERE s."EntryId" = r."Id";
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "ExceptionEntries_Search_Removed" AFTER DELETE ON "ExceptionEntries"
                    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION crm_exception_search_removed();

                -- The entries listed so far are indexed in the background, not during the upgrade.
                INSERT INTO "ExceptionSearchBacklog" ("FromId", "ToId")
                SELECT min("Id"), max("Id") FROM "ExceptionEntries" HAVING count(*) > 0;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "ExceptionEntries_Search_Removed" ON "ExceptionEntries";
                DROP TRIGGER "ExceptionEntries_Search_Changed" ON "ExceptionEntries";
                DROP TRIGGER "ExceptionEntries_Search_Inserted" ON "ExceptionEntries";
                DROP FUNCTION crm_exception_search_removed();
                DROP FUNCTION crm_exception_search_changed();
                DROP FUNCTION crm_exception_search_inserted();
                DROP TABLE "ExceptionSearchBacklog";
                DROP TABLE "ExceptionSearch";
                CREATE INDEX "IX_ExceptionEntries_CommentFolded_Trigram" ON "ExceptionEntries" USING gin ("CommentFolded" gin_trgm_ops);
                CREATE INDEX "IX_ExceptionEntries_Value_Trigram" ON "ExceptionEntries" USING gin ("Value" gin_trgm_ops);
                """);
        }
    }
}
