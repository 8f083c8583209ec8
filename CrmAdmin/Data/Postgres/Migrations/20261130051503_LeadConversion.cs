using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class LeadConversion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "DealId",
                table: "Leads",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Leads_DealId",
                table: "Leads",
                column: "DealId");

            migrationBuilder.AddForeignKey(
                name: "FK_Leads_Deals_DealId",
                table: "Leads",
                column: "DealId",
                principalTable: "Deals",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Leads_Deals_DealId",
                table: "Leads");

            migrationBuilder.DropIndex(
                name: "IX_Leads_DealId",
                table: "Leads");

            migrationBuilder.DropColumn(
                name: "DealId",
                table: "Leads");
        }
    }
}
