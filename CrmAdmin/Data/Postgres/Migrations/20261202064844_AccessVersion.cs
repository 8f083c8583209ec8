using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <summary>
    /// <see cref="Data.ReferenceDataVersion.AccessVersion"/>: raised by one with every statement on the users, the roles or
    /// the users' roles (a statement trigger each), which routing reads with a customer's facts, so a decision is authorized
    /// again when the access it was authorized with is older than a committed change (issue 16).
    /// </summary>
    public partial class AccessVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "AccessVersion",
                table: "ReferenceDataVersion",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.UpdateData(
                table: "ReferenceDataVersion",
                keyColumn: "Id",
                keyValue: 1,
                column: "AccessVersion",
                value: 0L);

            migrationBuilder.Sql("""
                CREATE FUNCTION crm_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "ReferenceDataVersion" SET "AccessVersion" = "AccessVersion" + 1 WHERE "Id" = 1;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "AspNetUsers_AccessChanged" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "AspNetUsers"
                    FOR EACH STATEMENT EXECUTE FUNCTION crm_access_changed();
                CREATE TRIGGER "AspNetRoles_AccessChanged" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "AspNetRoles"
                    FOR EACH STATEMENT EXECUTE FUNCTION crm_access_changed();
                CREATE TRIGGER "AspNetUserRoles_AccessChanged" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "AspNetUserRoles"
                    FOR EACH STATEMENT EXECUTE FUNCTION crm_access_changed();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "AspNetUsers_AccessChanged" ON "AspNetUsers";
                DROP TRIGGER "AspNetRoles_AccessChanged" ON "AspNetRoles";
                DROP TRIGGER "AspNetUserRoles_AccessChanged" ON "AspNetUserRoles";
                DROP FUNCTION crm_access_changed();
                """);

            migrationBuilder.DropColumn(
                name: "AccessVersion",
                table: "ReferenceDataVersion");
        }
    }
}
