using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Migrator.Migrations
{
    /// <inheritdoc />
    public partial class KeysetIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_audit_logs_tenant_id_id",
                table: "audit_logs",
                columns: new[] { "tenant_id", "id" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_agents_tenant_id_id",
                table: "agents",
                columns: new[] { "tenant_id", "id" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_agent_activities_agent_id_id",
                table: "agent_activities",
                columns: new[] { "agent_id", "id" },
                descending: new[] { false, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_audit_logs_tenant_id_id",
                table: "audit_logs");

            migrationBuilder.DropIndex(
                name: "ix_agents_tenant_id_id",
                table: "agents");

            migrationBuilder.DropIndex(
                name: "ix_agent_activities_agent_id_id",
                table: "agent_activities");
        }
    }
}
