using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ShortValueTexts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A value text of one or two characters has no trigram, so "qz" or "é" among half a million addresses, or "87"
            // of type Phone, was a scan: 50–110 ms at a million entries. A GIN index of each value's characters and pairs
            // of neighbouring characters, one for each class of types as the trigram indexes (migration SearchValuesByType),
            // finds a rare one in under a millisecond.
            // PostgresExceptionSearch.ShortTextsFunction names the function. PL/pgSQL: the loop took 7 µs a value,
            // a set-returning SQL function 11–34 µs, and the indexer computes it for every address it adds.
            migrationBuilder.Sql("""
                CREATE FUNCTION crm_short_texts(value text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
                DECLARE
                    characters text[] := string_to_array(value, NULL);
                    texts text[] := characters;
                BEGIN
                    FOR i IN 1 .. cardinality(characters) - 1 LOOP
                        texts := texts || (characters[i] || characters[i + 1]);
                    END LOOP;
                    RETURN texts;
                END
                $$;
                SET LOCAL maintenance_work_mem = '256MB';
                CREATE INDEX "IX_ExceptionSearch_Value_Short_Others" ON "ExceptionSearch" USING gin ("Generation", "Type", crm_short_texts("Value"))
                    WHERE "Type" NOT IN ('Phone', 'PhonePrefix');
                CREATE INDEX "IX_ExceptionSearch_Value_Short_Phones" ON "ExceptionSearch" USING gin ("Generation", "Type", crm_short_texts("Value"))
                    WHERE "Type" IN ('Phone', 'PhonePrefix');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX "IX_ExceptionSearch_Value_Short_Others";
                DROP INDEX "IX_ExceptionSearch_Value_Short_Phones";
                DROP FUNCTION crm_short_texts(text);
                """);
        }
    }
}
