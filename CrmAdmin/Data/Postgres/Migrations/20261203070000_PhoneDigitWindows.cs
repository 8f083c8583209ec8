using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class PhoneDigitWindows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A query's digits are matched on phones' and number prefixes' values (X5), and numbers share most of their trigrams:
            // every phone of the benchmark's million entries holds "120", "200" and "000", so "2000000" (500 matches) read the
            // phones' trigram lists whole, 150–250 ms, and "0000" or "20000" 170–250 ms. A GIN index of each phone's runs of 4 and
            // of 6 digits (Features/Exceptions/PhoneDigitWindows, which this function must agree with) finds "2000000" by its
            // rarer windows "200000" and "000000" in under 10 ms; PostgresExceptionSearch.DigitWindowsFunction names it. It leads
            // with the generation and the type, as the trigram indexes do, for the newest matches' lookups by generation.
            // PL/pgSQL for the loop's speed, as crm_short_texts (migration ShortValueTexts); GIN keeps each key once per row.
            migrationBuilder.Sql("""
                CREATE FUNCTION crm_digit_windows(value text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
                DECLARE
                    digits text := regexp_replace(value, '[^0-9]', '', 'g');
                    windows text[] := '{}';
                BEGIN
                    FOR i IN 1 .. length(digits) - 3 LOOP
                        windows := windows || substr(digits, i, 4);
                    END LOOP;
                    FOR i IN 1 .. length(digits) - 5 LOOP
                        windows := windows || substr(digits, i, 6);
                    END LOOP;
                    RETURN windows;
                END
                $$;
                SET LOCAL maintenance_work_mem = '256MB';
                CREATE INDEX "IX_ExceptionSearch_Value_DigitWindows" ON "ExceptionSearch" USING gin ("Generation", "Type", crm_digit_windows("Value"))
                    WHERE "Type" IN ('Phone', 'PhonePrefix');
                ANALYZE "ExceptionSearch";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX "IX_ExceptionSearch_Value_DigitWindows";
                DROP FUNCTION crm_digit_windows(text);
                """);
        }
    }
}
