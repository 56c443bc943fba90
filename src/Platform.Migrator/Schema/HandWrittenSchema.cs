namespace Platform.Migrator.Schema;

/// <summary>
/// The parts of the schema EF Core's model cannot describe, applied by the initial migration: <see cref="Functions"/>
/// before the tables, <see cref="Triggers"/> after them. Row-level security is not here: the migrator applies it to
/// every tenant-scoped table after migrating (<see cref="DatabaseSecurity"/>), so a new table cannot be forgotten.
/// </summary>
public static class HandWrittenSchema
{
    /// <summary>Rows made in SQL (roll-ups) get time-ordered keys like the application's <c>Guid.CreateVersion7()</c>.</summary>
    public const string Functions = """
        CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
            SELECT encode(
                set_bit(set_bit(
                    overlay(uuid_send(gen_random_uuid())
                        placing substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                        FROM 1 FOR 6),
                    52, 1), 53, 1),
                'hex')::uuid
        $$;
        """;

    /// <summary>
    /// skills.install_count and skills.rating / rating_count / rating_total follow their rows in the database itself,
    /// so they stay exact under concurrency and through cascades (a deleted agent, user or tenant takes its
    /// installations and ratings with it).
    /// A new outbox event, or a delivery made due now (a manual retry, a test, one a fan-out left for the claim), wakes the webhook workers at its commit: NOTIFY is
    /// sent when the transaction commits, never for one rolled back, and one transaction's identical notifications are
    /// folded into one. The payload names the table, so a worker fans out on an event's and claims on a delivery's. The
    /// worker's poll stays the safety net; the rows are the truth.
    /// </summary>
    public const string Triggers = """
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

        CREATE FUNCTION webhook_wake_up() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('webhook_events', TG_TABLE_NAME);
            RETURN NULL;
        END $$;

        CREATE TRIGGER trg_webhook_events_wake_up AFTER INSERT ON webhook_events
            FOR EACH STATEMENT EXECUTE FUNCTION webhook_wake_up();

        CREATE TRIGGER trg_webhook_deliveries_wake_up AFTER INSERT OR UPDATE OF state, next_attempt_at ON webhook_deliveries
            FOR EACH ROW WHEN (NEW.state = 'pending' AND NEW.next_attempt_at <= now()) EXECUTE FUNCTION webhook_wake_up();
        """;

    public const string DropFunctions = "DROP FUNCTION IF EXISTS webhook_wake_up(); DROP FUNCTION IF EXISTS skill_rating_totals(); DROP FUNCTION IF EXISTS skill_install_count(); DROP FUNCTION IF EXISTS uuid_v7();";

    /// <summary>The names the code relies on, for the schema tests.</summary>
    public static readonly string[] FunctionNames = ["uuid_v7", "skill_install_count", "skill_rating_totals", "webhook_wake_up"];

    public static readonly string[] TriggerNames = ["trg_skill_installations_count", "trg_skill_ratings_totals", "trg_webhook_events_wake_up", "trg_webhook_deliveries_wake_up"];
}
