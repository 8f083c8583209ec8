using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <summary>
    /// <see cref="Data.ReferenceDataVersion"/>: one row the database raises by one with every statement on the telephony lines
    /// or the CRM settings (a statement trigger each, in the statement's transaction), which routing reads with a customer's
    /// facts, so an instance's copy of the lines and settings is never used past a committed change (issue 16).
    /// </summary>
    public partial class ReferenceDataVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ReferenceDataVersion",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferenceDataVersion", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "ReferenceDataVersion",
                columns: new[] { "Id", "Version" },
                values: new object[] { 1, 0L });

            migrationBuilder.Sql("""
                CREATE FUNCTION crm_reference_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "ReferenceDataVersion" SET "Version" = "Version" + 1 WHERE "Id" = 1;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "TelephonyLines_ReferenceDataChanged" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "TelephonyLines"
                    FOR EACH STATEMENT EXECUTE FUNCTION crm_reference_data_changed();
                CREATE TRIGGER "CrmSettings_ReferenceDataChanged" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "CrmSettings"
                    FOR EACH STATEMENT EXECUTE FUNCTION crm_reference_data_changed();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "TelephonyLines_ReferenceDataChanged" ON "TelephonyLines";
                DROP TRIGGER "CrmSettings_ReferenceDataChanged" ON "CrmSettings";
                DROP FUNCTION crm_reference_data_changed();
                """);
            migrationBuilder.DropTable(
                name: "ReferenceDataVersion");
        }
    }
}
