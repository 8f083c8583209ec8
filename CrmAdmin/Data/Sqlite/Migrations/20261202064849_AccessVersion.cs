using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <summary>
    /// <see cref="Data.ReferenceDataVersion.AccessVersion"/>: raised with every row inserted, updated or deleted in the users,
    /// the roles or the users' roles (SQLite's triggers are per row), read with a customer's facts as on PostgreSQL (issue 16).
    /// </summary>
    public partial class AccessVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "AccessVersion",
                table: "ReferenceDataVersion",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.UpdateData(
                table: "ReferenceDataVersion",
                keyColumn: "Id",
                keyValue: 1,
                column: "AccessVersion",
                value: 0L);

            foreach (var (table, change) in Triggers)
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER "{table}_AccessChanged_{change}" AFTER {change.ToUpperInvariant()} ON "{table}"
                    BEGIN
                        UPDATE "ReferenceDataVersion" SET "AccessVersion" = "AccessVersion" + 1 WHERE "Id" = 1;
                    END;
                    """);
            }
        }

        private static readonly (string Table, string Change)[] Triggers =
            [.. new[] { "AspNetUsers", "AspNetRoles", "AspNetUserRoles" }.SelectMany(t => new[] { (t, "Insert"), (t, "Update"), (t, "Delete") })];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, change) in Triggers)
            {
                migrationBuilder.Sql($"""DROP TRIGGER "{table}_AccessChanged_{change}";""");
            }

            migrationBuilder.DropColumn(
                name: "AccessVersion",
                table: "ReferenceDataVersion");
        }
    }
}
