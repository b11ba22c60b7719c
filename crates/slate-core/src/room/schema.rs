//! The room's schema in PostgreSQL, versioned as the terminal's SQLite file is: [`MIGRATIONS`],
//! one step at a time, never edited once shipped. Steps run as the room's owner role
//! (`slate_owner`) from `slatectl fleet init` and `fleet upgrade`, one transaction each under an
//! advisory lock (two administrators upgrading at once wait for each other), and
//! `slate.schema_version` says how many have run. Terminals never migrate: they check the
//! version when they connect and refuse a room older or newer than they know.
//!
//! Everything lives in the schema `slate`. Terminals (members of `slate_terminal`) get no
//! privilege on the tables of accounts, failures, terminals and requests: they call `SECURITY
//! DEFINER` functions owned by `slate_owner`, each with a fixed `search_path`. On the tables of
//! their own records (audit, sessions, state) row-level security limits each terminal to its own
//! rows, and the audit may only be added to. Changes are recorded in `slate.admin_changes` with
//! the role that made them (`session_user`, which a definer function cannot change).

use crate::store_error::StoreError;

/// The advisory lock's key while migrating ("slate" in ASCII).
pub const MIGRATION_LOCK: i64 = 0x0073_6c61_7465;

/// The room's schema, one step at a time. Never edit a step that has shipped; add a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: terminals, accounts and their throttle, the changes made to accounts, and the
    // functions through which terminals use them.
    r#"
    CREATE TABLE slate.meta (
        key   text PRIMARY KEY,
        value text NOT NULL
    );
    CREATE TABLE slate.terminals (
        name       text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,39}$'),
        role_name  name NOT NULL UNIQUE,
        grp        text,
        added_at   timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
    );
    CREATE TABLE slate.users (
        id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        username             text NOT NULL,
        username_key         text NOT NULL UNIQUE,
        display_name         text NOT NULL,
        role                 text NOT NULL CHECK (role IN ('user', 'admin')),
        enabled              boolean NOT NULL DEFAULT true,
        locked               boolean NOT NULL DEFAULT false,
        password_hash        text NOT NULL,
        created_at           text NOT NULL,
        password_changed_at  text NOT NULL,
        daily_allowance_secs bigint CHECK (daily_allowance_secs BETWEEN 0 AND 86400)
    );
    CREATE TABLE slate.signin_throttle (
        name_digest       text PRIMARY KEY,
        failures          integer NOT NULL CHECK (failures >= 0),
        last_failure_at   text NOT NULL,
        last_failure_boot text NOT NULL,
        last_failure_ms   bigint NOT NULL,
        last_attempt_at   text NOT NULL,
        last_attempt_boot text NOT NULL,
        last_attempt_ms   bigint NOT NULL
    );
    CREATE INDEX signin_throttle_at ON slate.signin_throttle (last_failure_at);
    -- What was done through the room's functions: by which role (a terminal's, or the
    -- administrator's who ran fleet init), by which staff member when the terminal said,
    -- to which person's account or sessions, at which terminal.
    CREATE TABLE slate.admin_changes (
        id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at       timestamptz NOT NULL DEFAULT now(),
        by_role  name NOT NULL DEFAULT session_user,
        by_user  text,
        action   text NOT NULL,
        username text,
        terminal text
    );

    CREATE FUNCTION slate.throttle_key() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT value FROM slate.meta WHERE key = 'throttle_key' $$;

    CREATE FUNCTION slate.account(k text)
        RETURNS TABLE (id bigint, username text, display_name text, role text, enabled boolean,
                       locked boolean, password_hash text, created_at text,
                       daily_allowance_secs bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT id, username, display_name, role, enabled, locked, password_hash,
                     created_at, daily_allowance_secs
              FROM slate.users WHERE username_key = k $$;

    CREATE FUNCTION slate.accounts()
        RETURNS TABLE (id bigint, username text, display_name text, role text, enabled boolean,
                       locked boolean, created_at text, daily_allowance_secs bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT id, username, display_name, role, enabled, locked, created_at,
                     daily_allowance_secs
              FROM slate.users ORDER BY username_key $$;

    CREATE FUNCTION slate.count_admins(enabled_only boolean) RETURNS bigint
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT count(*) FROM slate.users
              WHERE role = 'admin' AND (enabled OR NOT enabled_only) $$;

    CREATE FUNCTION slate.create_account(u text, k text, d text, r text, h text, at text)
        RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ BEGIN
            INSERT INTO slate.users (username, username_key, display_name, role, password_hash,
                                     created_at, password_changed_at)
                VALUES (u, k, d, r, h, at, at)
                ON CONFLICT (username_key) DO NOTHING;
            IF NOT FOUND THEN RETURN false; END IF;
            INSERT INTO slate.admin_changes (action, username) VALUES ('account_created', u);
            RETURN true;
        END $$;

    CREATE FUNCTION slate.create_first_admin(u text, k text, d text, h text, at text)
        RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ BEGIN
            LOCK TABLE slate.users IN SHARE ROW EXCLUSIVE MODE;
            IF EXISTS (SELECT 1 FROM slate.users WHERE role = 'admin') THEN RETURN false; END IF;
            RETURN slate.create_account(u, k, d, 'admin', h, at);
        END $$;

    CREATE FUNCTION slate.remove_account(k text) RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE u text; BEGIN
            DELETE FROM slate.users WHERE username_key = k RETURNING username INTO u;
            IF u IS NULL THEN RETURN false; END IF;
            INSERT INTO slate.admin_changes (action, username) VALUES ('account_removed', u);
            RETURN true;
        END $$;

    CREATE FUNCTION slate.set_password_hash(k text, h text, at text) RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE u text; BEGIN
            UPDATE slate.users SET password_hash = h, password_changed_at = at
                WHERE username_key = k RETURNING username INTO u;
            IF u IS NULL THEN RETURN false; END IF;
            INSERT INTO slate.admin_changes (action, username) VALUES ('password_set', u);
            RETURN true;
        END $$;

    CREATE FUNCTION slate.set_enabled(k text, on_ boolean) RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE u text; BEGIN
            UPDATE slate.users SET enabled = on_ WHERE username_key = k RETURNING username INTO u;
            IF u IS NULL THEN RETURN false; END IF;
            INSERT INTO slate.admin_changes (action, username)
                VALUES (CASE WHEN on_ THEN 'account_enabled' ELSE 'account_disabled' END, u);
            RETURN true;
        END $$;

    CREATE FUNCTION slate.set_locked(k text, on_ boolean) RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE u text; BEGIN
            UPDATE slate.users SET locked = on_ WHERE username_key = k RETURNING username INTO u;
            IF u IS NULL THEN RETURN false; END IF;
            INSERT INTO slate.admin_changes (action, username)
                VALUES (CASE WHEN on_ THEN 'account_locked' ELSE 'account_unlocked' END, u);
            RETURN true;
        END $$;

    CREATE FUNCTION slate.set_daily_allowance(k text, secs bigint) RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE u text; BEGIN
            UPDATE slate.users SET daily_allowance_secs = secs
                WHERE username_key = k RETURNING username INTO u;
            IF u IS NULL THEN RETURN false; END IF;
            INSERT INTO slate.admin_changes (action, username) VALUES ('daily_time_set', u);
            RETURN true;
        END $$;

    CREATE FUNCTION slate.throttle_state(d text)
        RETURNS TABLE (failures integer, last_failure_at text, last_failure_boot text,
                       last_failure_ms bigint, last_attempt_at text, last_attempt_boot text,
                       last_attempt_ms bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT failures, last_failure_at, last_failure_boot, last_failure_ms,
                     last_attempt_at, last_attempt_boot, last_attempt_ms
              FROM slate.signin_throttle WHERE name_digest = d $$;

    CREATE FUNCTION slate.throttle_fail(d text, at text, boot text, ms bigint)
        RETURNS integer
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE n integer; BEGIN
            INSERT INTO slate.signin_throttle AS t
                (name_digest, failures, last_failure_at, last_failure_boot, last_failure_ms,
                 last_attempt_at, last_attempt_boot, last_attempt_ms)
                VALUES (d, 1, at, boot, ms, at, boot, ms)
                ON CONFLICT (name_digest) DO UPDATE
                SET failures = t.failures + 1,
                    last_failure_at = excluded.last_failure_at,
                    last_failure_boot = excluded.last_failure_boot,
                    last_failure_ms = excluded.last_failure_ms,
                    last_attempt_at = excluded.last_attempt_at,
                    last_attempt_boot = excluded.last_attempt_boot,
                    last_attempt_ms = excluded.last_attempt_ms
                RETURNING t.failures INTO n;
            -- Names quiet for a day are forgotten, by the database's clock (never a
            -- terminal's, which could be wrong, or be someone else's).
            DELETE FROM slate.signin_throttle WHERE last_failure_at
                < to_char((now() - interval '1 day') AT TIME ZONE 'UTC',
                          'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
            RETURN n;
        END $$;

    CREATE FUNCTION slate.throttle_checked(d text, at text, boot text, ms bigint) RETURNS void
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ UPDATE slate.signin_throttle
              SET last_attempt_at = at, last_attempt_boot = boot, last_attempt_ms = ms
              WHERE name_digest = d $$;

    CREATE FUNCTION slate.throttle_clear(d text) RETURNS void
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DELETE FROM slate.signin_throttle WHERE name_digest = d $$;

    REVOKE ALL ON ALL FUNCTIONS IN SCHEMA slate FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION
        slate.throttle_key(), slate.account(text), slate.accounts(), slate.count_admins(boolean),
        slate.create_account(text, text, text, text, text, text),
        slate.create_first_admin(text, text, text, text, text),
        slate.remove_account(text), slate.set_password_hash(text, text, text),
        slate.set_enabled(text, boolean), slate.set_locked(text, boolean),
        slate.set_daily_allowance(text, bigint), slate.throttle_state(text),
        slate.throttle_fail(text, text, text, bigint),
        slate.throttle_checked(text, text, text, bigint), slate.throttle_clear(text)
        TO slate_terminal;
    "#,
    // 2: each terminal's audit chain and sessions, stored in the room as the terminal sends
    // them (its own file stays the journal): rows a terminal may add only under its own name
    // (row-level security), read only its own, and never change or remove (audit).
    r"
    CREATE FUNCTION slate.my_terminal() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT name FROM slate.terminals
              WHERE role_name = session_user AND revoked_at IS NULL $$;
    CREATE TABLE slate.audit (
        terminal        text NOT NULL REFERENCES slate.terminals (name),
        seq             bigint NOT NULL CHECK (seq > 0),
        at              text NOT NULL,
        utc_offset_secs integer NOT NULL,
        label           text NOT NULL,
        event           text NOT NULL,
        username        text,
        session_id      text,
        duration_ms     bigint,
        details         text NOT NULL,
        mac             text NOT NULL,
        received_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (terminal, seq)
    );
    CREATE INDEX audit_event ON slate.audit (event, at);
    -- A terminal's chain arrives in order: never a record beyond the one after the last the
    -- room holds of that terminal (the first may be any, for a terminal whose log was pruned
    -- before it joined; one sent again is held already). So no record can be slipped in far
    -- ahead of the terminal's own, to stop its chain arriving.
    CREATE FUNCTION slate.audit_in_order() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE last bigint; BEGIN
            SELECT max(seq) INTO last FROM slate.audit WHERE terminal = NEW.terminal;
            IF last IS NOT NULL AND NEW.seq > last + 1 THEN
                RAISE EXCEPTION 'record % of terminal % does not follow record %',
                    NEW.seq, NEW.terminal, last;
            END IF;
            RETURN NEW;
        END $$;
    REVOKE ALL ON FUNCTION slate.audit_in_order() FROM PUBLIC;
    CREATE TRIGGER audit_in_order BEFORE INSERT ON slate.audit
        FOR EACH ROW EXECUTE FUNCTION slate.audit_in_order();
    CREATE TABLE slate.sessions (
        terminal     text NOT NULL REFERENCES slate.terminals (name),
        id           text NOT NULL,
        username     text,
        source       text,
        display_name text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('user', 'admin', 'guest')),
        started_at   text NOT NULL,
        ended_at     text,
        end_reason   text,
        duration_ms  bigint,
        erased       boolean,
        PRIMARY KEY (terminal, id)
    );
    CREATE INDEX sessions_user ON slate.sessions (username, started_at);
    CREATE INDEX sessions_open ON slate.sessions (terminal) WHERE ended_at IS NULL;
    ALTER TABLE slate.audit ENABLE ROW LEVEL SECURITY;
    ALTER TABLE slate.sessions ENABLE ROW LEVEL SECURITY;
    CREATE POLICY audit_add_own ON slate.audit FOR INSERT TO slate_terminal
        WITH CHECK (terminal = slate.my_terminal());
    CREATE POLICY audit_read_own ON slate.audit FOR SELECT TO slate_terminal
        USING (terminal = slate.my_terminal());
    CREATE POLICY sessions_own ON slate.sessions FOR ALL TO slate_terminal
        USING (terminal = slate.my_terminal()) WITH CHECK (terminal = slate.my_terminal());
    GRANT SELECT, INSERT ON slate.audit TO slate_terminal;
    GRANT SELECT, INSERT, UPDATE ON slate.sessions TO slate_terminal;
    -- A person's ended sessions at the other terminals that overlap a span of time (their
    -- daily time is counted across the room).
    CREATE FUNCTION slate.sessions_elsewhere(person text, src text, from_ text, to_ text)
        RETURNS TABLE (started_at text, ended_at text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT started_at, ended_at FROM slate.sessions
              WHERE terminal <> slate.my_terminal() AND username = person
                AND source IS NOT DISTINCT FROM src
                AND started_at < to_ AND ended_at IS NOT NULL AND ended_at > from_ $$;
    REVOKE ALL ON FUNCTION slate.my_terminal(), slate.sessions_elsewhere(text, text, text, text)
        FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION slate.my_terminal(), slate.sessions_elsewhere(text, text, text, text)
        TO slate_terminal;
    ",
    // 3: the desk view: each terminal's state as it last said, staff's requests to a terminal
    // (end its session), and the functions that read the room's state and make requests,
    // each request recorded with who made it and from which terminal, and announced to the
    // terminal at once (NOTIFY on the channel named as its role).
    r#"
    CREATE TABLE slate.terminal_state (
        terminal   text PRIMARY KEY REFERENCES slate.terminals (name),
        state      text NOT NULL CHECK (state IN ('ready', 'in_use', 'attention', 'setup')),
        who        text,
        username   text,
        session_id text,
        until      text,
        why        text,
        changed_at timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE slate.terminal_state ENABLE ROW LEVEL SECURITY;
    CREATE POLICY terminal_state_own ON slate.terminal_state FOR ALL TO slate_terminal
        USING (terminal = slate.my_terminal()) WITH CHECK (terminal = slate.my_terminal());
    GRANT SELECT, INSERT, UPDATE ON slate.terminal_state TO slate_terminal;
    CREATE TABLE slate.requests (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        terminal    text NOT NULL REFERENCES slate.terminals (name),
        kind        text NOT NULL CHECK (kind IN ('end', 'message')),
        session_id  text NOT NULL,
        message     text CHECK ((kind = 'message') = (message IS NOT NULL)
                                AND length(message) BETWEEN 1 AND 500),
        by_terminal text NOT NULL,
        by_user     text NOT NULL,
        made_at     timestamptz NOT NULL DEFAULT now(),
        taken_at    timestamptz
    );
    CREATE INDEX requests_waiting ON slate.requests (terminal) WHERE taken_at IS NULL;

    CREATE FUNCTION slate.room_status()
        RETURNS TABLE (name text, grp text, state text, who text, username text,
                       session_id text, until text, why text, changed_at text,
                       online boolean, revoked boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT t.name, t.grp, s.state, s.who, s.username, s.session_id, s.until, s.why,
                     to_char(s.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                     EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.usename = t.role_name),
                     t.revoked_at IS NOT NULL
              FROM slate.terminals t LEFT JOIN slate.terminal_state s ON s.terminal = t.name
              ORDER BY t.name $$;

    CREATE FUNCTION slate.request_end(target text, session text, by_user text) RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE me text := slate.my_terminal(); role_ name; BEGIN
            SELECT role_name INTO role_ FROM slate.terminals
                WHERE name = target AND revoked_at IS NULL;
            IF role_ IS NULL OR me IS NULL THEN RETURN false; END IF;
            INSERT INTO slate.requests (terminal, kind, session_id, by_terminal, by_user)
                VALUES (target, 'end', session, me, by_user);
            INSERT INTO slate.admin_changes (by_user, action, terminal)
                VALUES (by_user, 'session_end_requested', target);
            PERFORM pg_notify(role_, 'request');
            RETURN true;
        END $$;

    CREATE FUNCTION slate.send_message(target text, session text, msg text, by_user text)
        RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE me text := slate.my_terminal(); role_ name; BEGIN
            SELECT role_name INTO role_ FROM slate.terminals
                WHERE name = target AND revoked_at IS NULL;
            IF role_ IS NULL OR me IS NULL THEN RETURN false; END IF;
            INSERT INTO slate.requests (terminal, kind, session_id, message, by_terminal, by_user)
                VALUES (target, 'message', session, msg, me, by_user);
            INSERT INTO slate.admin_changes (by_user, action, terminal)
                VALUES (by_user, 'message_sent', target);
            PERFORM pg_notify(role_, 'request');
            RETURN true;
        END $$;

    CREATE FUNCTION slate.end_everywhere(person text, by_user text) RETURNS integer
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE me text := slate.my_terminal(); n integer := 0; r record; BEGIN
            IF me IS NULL THEN RETURN 0; END IF;
            FOR r IN SELECT s.terminal, s.id, t.role_name FROM slate.sessions s
                     JOIN slate.terminals t ON t.name = s.terminal
                     WHERE lower(s.username) = lower(person) AND s.ended_at IS NULL
                       AND t.revoked_at IS NULL LOOP
                INSERT INTO slate.requests (terminal, kind, session_id, by_terminal, by_user)
                    VALUES (r.terminal, 'end', r.id, me, by_user);
                PERFORM pg_notify(r.role_name, 'request');
                n := n + 1;
            END LOOP;
            INSERT INTO slate.admin_changes (by_user, action, username)
                VALUES (by_user, 'sessions_ended_everywhere', person);
            RETURN n;
        END $$;

    -- A terminal reads what waits for it, carries it out, then says so: a request is never
    -- lost to a terminal that failed half-way (carrying one out twice does nothing more).
    CREATE FUNCTION slate.pending_requests()
        RETURNS TABLE (id bigint, kind text, session_id text, message text, by_terminal text,
                       by_user text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT id, kind, session_id, message, by_terminal, by_user FROM slate.requests
              WHERE terminal = slate.my_terminal() AND taken_at IS NULL ORDER BY id $$;
    CREATE FUNCTION slate.request_done(done bigint) RETURNS void
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ UPDATE slate.requests SET taken_at = now()
              WHERE id = done AND terminal = slate.my_terminal() AND taken_at IS NULL $$;

    -- A person's open sessions at the other terminals that are connected now (a terminal that
    -- went away mid-session has its session ended and recorded when it is back).
    CREATE FUNCTION slate.open_elsewhere(person text, src text)
        RETURNS TABLE (terminal text, session_id text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT s.terminal, s.id FROM slate.sessions s
              JOIN slate.terminals t ON t.name = s.terminal
              WHERE s.terminal <> slate.my_terminal() AND s.username = person
                AND s.source IS NOT DISTINCT FROM src AND s.ended_at IS NULL
                AND t.revoked_at IS NULL
                AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.usename = t.role_name)
              ORDER BY s.terminal $$;
    REVOKE ALL ON FUNCTION slate.open_elsewhere(text, text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION slate.open_elsewhere(text, text) TO slate_terminal;

    REVOKE ALL ON FUNCTION slate.room_status(), slate.request_end(text, text, text),
        slate.send_message(text, text, text, text), slate.end_everywhere(text, text),
        slate.pending_requests(), slate.request_done(bigint) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION slate.room_status(), slate.request_end(text, text, text),
        slate.send_message(text, text, text, text), slate.end_everywhere(text, text),
        slate.pending_requests(), slate.request_done(bigint) TO slate_terminal;
    "#,
    // 4: settings shared by the room: a value for every terminal, for a group of terminals
    // (the terminals' `grp`), or for one terminal; at a terminal the most particular wins, and
    // its policy file is above them all. Terminals read their own values through a function and
    // change them (for the room, their own group, or themselves) through another, recorded with
    // the key; each terminal a change concerns is told at once (NOTIFY 'settings').
    r#"
    ALTER TABLE slate.admin_changes ADD COLUMN detail text;
    CREATE TABLE slate.settings (
        scope      text NOT NULL CHECK (scope IN ('room', 'group', 'terminal')),
        target     text NOT NULL,
        key        text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
        value      text NOT NULL CHECK (length(value) <= 65536),
        changed_at timestamptz NOT NULL DEFAULT now(),
        changed_by text,
        PRIMARY KEY (scope, target, key),
        CHECK ((scope = 'room') = (target = ''))
    );

    -- Every value that applies at the calling terminal, for each key the most particular
    -- first (the terminal takes the first it can use).
    CREATE FUNCTION slate.my_settings()
        RETURNS TABLE (key text, value text, scope text, target text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT s.key, s.value, s.scope, s.target
              FROM slate.settings s JOIN slate.terminals t
                ON t.name = slate.my_terminal() AND t.revoked_at IS NULL
              WHERE s.scope = 'room'
                 OR (s.scope = 'group' AND s.target = t.grp)
                 OR (s.scope = 'terminal' AND s.target = t.name)
              ORDER BY s.key, CASE s.scope WHEN 'terminal' THEN 0 WHEN 'group' THEN 1 ELSE 2 END $$;

    -- The calling terminal's group (NULL: none).
    CREATE FUNCTION slate.my_group() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT grp FROM slate.terminals
              WHERE name = slate.my_terminal() AND revoked_at IS NULL $$;

    -- Every value the room holds, for the desk and slatectl fleet settings.
    CREATE FUNCTION slate.room_settings()
        RETURNS TABLE (scope text, target text, key text, value text, changed_at text,
                       changed_by text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT scope, target, key, value,
                     to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                     changed_by
              FROM slate.settings
              ORDER BY CASE scope WHEN 'room' THEN 0 WHEN 'group' THEN 1 ELSE 2 END,
                       target, key $$;

    -- Sets (v) or removes (v NULL) a value, records it, and tells each terminal it concerns.
    -- The owner's own (fleet set); terminals use set_setting below.
    CREATE FUNCTION slate.put_setting(scope_ text, target_ text, k text, v text, by_user text)
        RETURNS boolean
        LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE r record; BEGIN
            IF v IS NULL THEN
                DELETE FROM slate.settings
                    WHERE scope = scope_ AND target = target_ AND key = k;
            ELSE
                INSERT INTO slate.settings AS s (scope, target, key, value, changed_by)
                    VALUES (scope_, target_, k, v, by_user)
                    ON CONFLICT (scope, target, key) DO UPDATE
                    SET value = excluded.value, changed_at = now(),
                        changed_by = excluded.changed_by;
            END IF;
            IF NOT FOUND THEN RETURN false; END IF;
            INSERT INTO slate.admin_changes (by_user, action, terminal, detail)
                VALUES (by_user, CASE WHEN v IS NULL THEN 'setting_removed' ELSE 'setting_set' END,
                        CASE scope_ WHEN 'terminal' THEN target_ END,
                        scope_ || CASE WHEN target_ = '' THEN '' ELSE ' ' || target_ END
                               || ': ' || k);
            FOR r IN SELECT role_name FROM slate.terminals
                     WHERE revoked_at IS NULL
                       AND (scope_ = 'room' OR (scope_ = 'group' AND grp = target_)
                            OR (scope_ = 'terminal' AND name = target_)) LOOP
                PERFORM pg_notify(r.role_name, 'settings');
            END LOOP;
            RETURN true;
        END $$;

    -- The keys a terminal may set for itself alone: where sign-in asks (the account sources
    -- and their credentials), where the audit goes and how long it is kept, and the terminal's
    -- name. For the room or a group they are the room's administrator's (fleet set), so a
    -- stolen terminal credential cannot send every terminal's sign-ins or audit elsewhere.
    CREATE FUNCTION slate.owner_only(k text) RETURNS boolean
        LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
        AS $$ SELECT k ~ '^(ldap|pam|sip2|audit)_'
                  OR k IN ('signin_sources', 'source_timeout', 'terminal_name') $$;

    -- A terminal's change: for the whole room, for its own group, or for itself.
    CREATE FUNCTION slate.set_setting(scope_ text, k text, v text, by_user text)
        RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE me text := slate.my_terminal(); target_ text; BEGIN
            IF me IS NULL THEN
                RAISE EXCEPTION 'this terminal is not in the room (revoked?)';
            END IF;
            IF scope_ <> 'terminal' AND slate.owner_only(k) THEN
                RAISE EXCEPTION '% is set for the room or a group by the room''s administrator (slatectl fleet set); here, only for this terminal', k;
            END IF;
            target_ := CASE scope_ WHEN 'room' THEN ''
                                   WHEN 'group' THEN slate.my_group()
                                   WHEN 'terminal' THEN me END;
            IF target_ IS NULL THEN RETURN false; END IF;
            RETURN slate.put_setting(scope_, target_, k, v, by_user);
        END $$;

    -- (room_settings lists every value, other terminals' secrets too: the owner's alone.)
    REVOKE ALL ON FUNCTION slate.my_settings(), slate.my_group(), slate.room_settings(),
        slate.owner_only(text), slate.put_setting(text, text, text, text, text),
        slate.set_setting(text, text, text, text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION slate.my_settings(), slate.my_group(),
        slate.set_setting(text, text, text, text) TO slate_terminal;
    "#,
    // 5: guest passes shared by the room: a pass printed at the desk works at any terminal,
    // once. Kept by their codes' digests under a key every terminal derives from the room's
    // throttle key (never the codes). Terminals use them through functions: one pass by its
    // digest, the list without digests, spent once (by which terminal's session), revoked.
    r"
    CREATE TABLE slate.guest_passes (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        code_digest   text NOT NULL UNIQUE,
        batch         text NOT NULL,
        minutes       integer NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
        valid_until   text NOT NULL,
        created_at    text NOT NULL,
        created_by    text NOT NULL,
        made_at       text NOT NULL,
        used_at       text,
        session_id    text,
        used_at_terminal text,
        revoked_at    text,
        CHECK ((used_at IS NULL) = (session_id IS NULL))
    );
    CREATE INDEX guest_passes_batch ON slate.guest_passes (batch);

    CREATE FUNCTION slate.add_pass(d text, b text, m integer, until text, at text, by_ text)
        RETURNS bigint
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE me text := slate.my_terminal(); n bigint; BEGIN
            IF me IS NULL THEN RETURN NULL; END IF;
            INSERT INTO slate.guest_passes (code_digest, batch, minutes, valid_until, created_at,
                                            created_by, made_at)
                VALUES (d, b, m, until, at, by_, me)
                ON CONFLICT (code_digest) DO NOTHING
                RETURNING id INTO n;
            RETURN n;
        END $$;

    CREATE FUNCTION slate.find_pass(d text)
        RETURNS TABLE (id bigint, batch text, minutes integer, valid_until text,
                       created_at text, created_by text, used_at text, session_id text,
                       revoked_at text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT id, batch, minutes, valid_until, created_at, created_by, used_at,
                     session_id, revoked_at
              FROM slate.guest_passes WHERE code_digest = d $$;

    CREATE FUNCTION slate.list_passes()
        RETURNS TABLE (id bigint, batch text, minutes integer, valid_until text,
                       created_at text, created_by text, used_at text, session_id text,
                       revoked_at text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT id, batch, minutes, valid_until, created_at, created_by, used_at,
                     session_id, revoked_at
              FROM slate.guest_passes ORDER BY id DESC $$;

    CREATE FUNCTION slate.any_pass_usable(today text) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT EXISTS (SELECT 1 FROM slate.guest_passes
                             WHERE used_at IS NULL AND revoked_at IS NULL
                               AND valid_until >= today) $$;

    CREATE FUNCTION slate.use_pass(pass bigint, session text, at text) RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE me text := slate.my_terminal(); BEGIN
            IF me IS NULL THEN RETURN false; END IF;
            -- Spent once; asked again for the same session (a reply lost on the way), still
            -- that session's.
            UPDATE slate.guest_passes
                SET used_at = coalesce(used_at, at), session_id = session,
                    used_at_terminal = me
                WHERE id = pass AND revoked_at IS NULL
                  AND (used_at IS NULL OR (session_id = session AND used_at_terminal = me));
            RETURN FOUND;
        END $$;

    CREATE FUNCTION slate.revoke_passes(pass bigint, b text, at text, by_user text)
        RETURNS integer
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE n integer; BEGIN
            IF slate.my_terminal() IS NULL THEN RETURN 0; END IF;
            UPDATE slate.guest_passes SET revoked_at = at
                WHERE (id = pass OR batch = b) AND used_at IS NULL AND revoked_at IS NULL;
            GET DIAGNOSTICS n = ROW_COUNT;
            IF n > 0 THEN
                INSERT INTO slate.admin_changes (by_user, action, detail)
                    VALUES (by_user, 'guest_passes_revoked',
                            coalesce('pass ' || pass, 'batch ' || b) || ': ' || n);
            END IF;
            RETURN n;
        END $$;

    -- Passes whose last day was more than `keep` days ago (90 at the least), by the database's
    -- calendar (a terminal cannot make a pass or its record go early).
    CREATE FUNCTION slate.prune_passes(keep integer) RETURNS integer
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE n integer; BEGIN
            DELETE FROM slate.guest_passes
                WHERE valid_until < to_char(current_date - greatest(keep, 90), 'YYYY-MM-DD');
            GET DIAGNOSTICS n = ROW_COUNT;
            IF n > 0 THEN
                INSERT INTO slate.admin_changes (action, detail)
                    VALUES ('guest_passes_pruned', n::text);
            END IF;
            RETURN n;
        END $$;

    REVOKE ALL ON FUNCTION slate.add_pass(text, text, integer, text, text, text),
        slate.find_pass(text), slate.list_passes(), slate.any_pass_usable(text),
        slate.use_pass(bigint, text, text), slate.revoke_passes(bigint, text, text, text),
        slate.prune_passes(integer) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION slate.add_pass(text, text, integer, text, text, text),
        slate.find_pass(text), slate.list_passes(), slate.any_pass_usable(text),
        slate.use_pass(bigint, text, text), slate.revoke_passes(bigint, text, text, text),
        slate.prune_passes(integer) TO slate_terminal;
    ",
    // 6: the audit as a whole. Each terminal checks its own chain as the room holds it (with
    // its key, which only it has) and says how that went; anyone reading the room sees, for
    // every terminal, how many records it holds, whether any is missing between its first and
    // its last, when they last arrived, and the terminal's last check. And each terminal's
    // records and sessions leave the room with its retention.
    r#"
    CREATE TABLE slate.audit_checks (
        terminal    text PRIMARY KEY REFERENCES slate.terminals (name),
        checked_at  timestamptz NOT NULL DEFAULT now(),
        records     bigint NOT NULL,
        through_seq bigint,
        sent_seq    bigint,
        ok          boolean NOT NULL,
        problem     text CHECK (length(problem) <= 1000)
    );

    -- A terminal says how its check went, at the database's time (never its own).
    -- `sent`: the last record the terminal knows the room took (its cursor).
    CREATE FUNCTION slate.report_audit_check(n bigint, through bigint, sent bigint, ok_ boolean,
                                             why text)
        RETURNS void
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE me text := slate.my_terminal(); BEGIN
            IF me IS NULL THEN RETURN; END IF;
            INSERT INTO slate.audit_checks (terminal, records, through_seq, sent_seq, ok, problem)
                VALUES (me, n, through, sent, ok_, left(why, 1000))
                ON CONFLICT (terminal) DO UPDATE
                SET checked_at = now(), records = excluded.records,
                    through_seq = excluded.through_seq, sent_seq = excluded.sent_seq,
                    ok = excluded.ok, problem = excluded.problem;
        END $$;

    CREATE FUNCTION slate.room_audit()
        RETURNS TABLE (terminal text, revoked boolean, records bigint, first_seq bigint,
                       last_seq bigint, last_received text, checked_at text, checked_records bigint,
                       checked_through bigint, check_ok boolean, problem text, sent_seq bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ SELECT t.name, t.revoked_at IS NOT NULL, coalesce(a.n, 0), a.first, a.last,
                     to_char(a.received AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                     to_char(c.checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                     c.records, c.through_seq, c.ok, c.problem, c.sent_seq
              FROM slate.terminals t
              LEFT JOIN (SELECT terminal, count(*) AS n, min(seq) AS first, max(seq) AS last,
                                max(received_at) AS received
                         FROM slate.audit GROUP BY terminal) a ON a.terminal = t.name
              LEFT JOIN slate.audit_checks c ON c.terminal = t.name
              ORDER BY t.name $$;
    -- A terminal's own records and ended sessions go from the room as they go from its file
    -- (its retention): audit records up to a prune its own chain in the room records (an
    -- audit_pruned record after them, naming that point, whose seal the terminal's next check
    -- verifies, so what is left still verifies), and sessions ended before `sessions_before`
    -- (NULL: none) and more than a day ago by the database's clock. Recorded.
    CREATE FUNCTION slate.prune_mine(through bigint, sessions_before text) RETURNS bigint
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $$ DECLARE me text := slate.my_terminal(); n bigint := 0; m bigint := 0; BEGIN
            IF me IS NULL THEN RETURN 0; END IF;
            IF through IS NOT NULL AND EXISTS (
                SELECT 1 FROM slate.audit
                WHERE terminal = me AND event = 'audit_pruned' AND seq > through
                  AND (details::jsonb ->> 'through_seq')::bigint = through) THEN
                DELETE FROM slate.audit WHERE terminal = me AND seq <= through;
                GET DIAGNOSTICS n = ROW_COUNT;
            END IF;
            IF sessions_before IS NOT NULL THEN
                DELETE FROM slate.sessions
                    WHERE terminal = me AND ended_at IS NOT NULL
                      AND ended_at < least(sessions_before,
                          to_char((now() - interval '1 day') AT TIME ZONE 'UTC',
                                  'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'));
                GET DIAGNOSTICS m = ROW_COUNT;
            END IF;
            IF n + m > 0 THEN
                INSERT INTO slate.admin_changes (action, terminal, detail)
                    VALUES ('pruned', me, n || ' records, ' || m || ' sessions');
            END IF;
            RETURN n + m;
        END $$;

    REVOKE ALL ON FUNCTION slate.room_audit(), slate.prune_mine(bigint, text),
        slate.report_audit_check(bigint, bigint, bigint, boolean, text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION slate.room_audit(), slate.prune_mine(bigint, text),
        slate.report_audit_check(bigint, bigint, bigint, boolean, text) TO slate_terminal;
    "#,
];

/// How many steps this Slate knows.
pub fn known() -> i64 {
    i64::try_from(MIGRATIONS.len()).expect("a handful of steps")
}

/// The room's schema version (0: none yet).
pub fn version(client: &mut postgres::Client) -> Result<i64, postgres::Error> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('slate.schema_version') IS NOT NULL",
            &[],
        )?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_opt("SELECT version FROM slate.schema_version", &[])?
        .map_or(0, |r| i64::from(r.get::<_, i32>(0))))
}

/// A terminal's check when it connects: the room's schema is the one this Slate knows.
pub fn check_version(client: &mut postgres::Client) -> Result<(), StoreError> {
    let found = version(client).map_err(super::away)?;
    match found.cmp(&known()) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(StoreError::Room(format!(
            "the room's database was set up by a newer Slate (schema {found}, this one knows {})",
            known()
        ))),
        std::cmp::Ordering::Less if found == 0 => Err(StoreError::Room(
            "the room's database is not set up yet (slatectl fleet init)".into(),
        )),
        std::cmp::Ordering::Less => Err(StoreError::Room(format!(
            "the room's database has schema {found} and this Slate needs {}: run slatectl fleet upgrade",
            known()
        ))),
    }
}

/// Runs the steps not yet run, up to `target`, as the owner role (the caller has `SET ROLE
/// slate_owner`), each in its own transaction under the advisory lock. Returns the version
/// reached.
pub fn migrate(client: &mut postgres::Client, target: usize) -> Result<i64, postgres::Error> {
    let target = target.min(MIGRATIONS.len());
    loop {
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS slate.schema_version (version integer NOT NULL);
             GRANT SELECT ON slate.schema_version TO slate_terminal;",
        )?;
        let current = tx
            .query_opt("SELECT version FROM slate.schema_version", &[])?
            .map(|r| r.get::<_, i32>(0));
        let at = usize::try_from(current.unwrap_or(0)).unwrap_or(usize::MAX);
        if at >= target {
            tx.commit()?;
            return Ok(i64::try_from(at).unwrap_or(i64::MAX));
        }
        tx.batch_execute(MIGRATIONS[at])?;
        let next = i32::try_from(at + 1).expect("a handful of steps");
        if current.is_some() {
            tx.execute("UPDATE slate.schema_version SET version = $1", &[&next])?;
        } else {
            tx.execute(
                "INSERT INTO slate.schema_version (version) VALUES ($1)",
                &[&next],
            )?;
        }
        tx.commit()?;
    }
}
