using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Migrator.Migrations
{
    /// <summary>
    /// skills.install_count and skills.rating / rating_count / rating_total follow their rows in the
    /// database itself, so they stay exact under concurrency and through cascades (a deleted agent,
    /// user or tenant takes its installations and ratings with it).
    /// </summary>
    public partial class SkillCounterTriggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION skill_install_count() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        UPDATE skills SET install_count = install_count + 1 WHERE id = NEW.skill_id;
                    ELSE
                        UPDATE skills SET install_count = greatest(install_count - 1, 0) WHERE id = OLD.skill_id;
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER trg_skill_installations_count AFTER INSERT OR DELETE ON skill_installations
                    FOR EACH ROW EXECUTE FUNCTION skill_install_count();

                CREATE FUNCTION skill_rating_totals() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    skill uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.skill_id ELSE NEW.skill_id END;
                    delta integer := CASE TG_OP WHEN 'INSERT' THEN NEW.rating WHEN 'UPDATE' THEN NEW.rating - OLD.rating ELSE -OLD.rating END;
                    counted integer := CASE TG_OP WHEN 'INSERT' THEN 1 WHEN 'UPDATE' THEN 0 ELSE -1 END;
                BEGIN
                    UPDATE skills SET
                        rating_total = rating_total + delta,
                        rating_count = rating_count + counted,
                        rating = CASE WHEN rating_count + counted <= 0 THEN 0
                                      ELSE round((rating_total + delta)::numeric / (rating_count + counted), 2) END
                    WHERE id = skill;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER trg_skill_ratings_totals AFTER INSERT OR UPDATE OF rating OR DELETE ON skill_ratings
                    FOR EACH ROW EXECUTE FUNCTION skill_rating_totals();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS trg_skill_ratings_totals ON skill_ratings;
                DROP FUNCTION IF EXISTS skill_rating_totals();
                DROP TRIGGER IF EXISTS trg_skill_installations_count ON skill_installations;
                DROP FUNCTION IF EXISTS skill_install_count();
                """);
        }
    }
}
