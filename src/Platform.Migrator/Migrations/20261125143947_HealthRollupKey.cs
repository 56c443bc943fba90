using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Migrator.Migrations
{
    /// <inheritdoc />
    public partial class HealthRollupKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rows made in SQL (roll-ups) get time-ordered keys like the application's Guid.CreateVersion7().
            migrationBuilder.Sql("""
                CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
                    SELECT encode(
                        set_bit(set_bit(
                            overlay(uuid_send(gen_random_uuid())
                                placing substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                                FROM 1 FOR 6),
                            52, 1), 53, 1),
                        'hex')::uuid
                $$;
                """);

            migrationBuilder.CreateIndex(
                name: "ux_container_health_hourly",
                table: "container_health",
                columns: new[] { "container_id", "recorded_at" },
                unique: true,
                filter: "resolution = 'hour'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS uuid_v7();");

            migrationBuilder.DropIndex(
                name: "ux_container_health_hourly",
                table: "container_health");
        }
    }
}
