using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class BlockedEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BlockedEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    EntryId = table.Column<long>(type: "INTEGER", nullable: false),
                    EntryType = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Value = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BlockedEvents", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BlockedEvents_Day_Channel",
                table: "BlockedEvents",
                columns: new[] { "Day", "Channel" });

            migrationBuilder.CreateIndex(
                name: "IX_BlockedEvents_Day_EntryId",
                table: "BlockedEvents",
                columns: new[] { "Day", "EntryId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BlockedEvents");
        }
    }
}
