using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <summary>
    /// <see cref="Data.ReferenceDataVersion"/>: one row the database raises with every row inserted, updated or deleted in the
    /// telephony lines or the CRM settings (SQLite's triggers are per row), in the change's transaction; routing reads it with a
    /// customer's facts, as on PostgreSQL, where several instances share a database (issue 16).
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferenceDataVersion", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "ReferenceDataVersion",
                columns: new[] { "Id", "Version" },
                values: new object[] { 1, 0L });

            foreach (var (table, change) in Triggers)
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER "{table}_ReferenceDataChanged_{change}" AFTER {change.ToUpperInvariant()} ON "{table}"
                    BEGIN
                        UPDATE "ReferenceDataVersion" SET "Version" = "Version" + 1 WHERE "Id" = 1;
                    END;
                    """);
            }
        }

        private static readonly (string Table, string Change)[] Triggers =
            [("TelephonyLines", "Insert"), ("TelephonyLines", "Update"), ("TelephonyLines", "Delete"),
             ("CrmSettings", "Insert"), ("CrmSettings", "Update"), ("CrmSettings", "Delete")];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, change) in Triggers)
            {
                migrationBuilder.Sql($"""DROP TRIGGER "{table}_ReferenceDataChanged_{change}";""");
            }

            migrationBuilder.DropTable(
                name: "ReferenceDataVersion");
        }
    }
}
