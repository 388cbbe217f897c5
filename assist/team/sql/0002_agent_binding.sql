-- callassist team server, version 2: a workstation login may only upload calls under the 工号 it is registered
-- with (callassist.members.agent_id: one id, or several separated by commas for a workstation that agents
-- share). Row-level security already keeps a login to its own rows; this keeps a login from putting another
-- agent's 工号 on them, which would credit (or blame) that agent in every supervisor's figures.
-- Applied by `callassist team migrate` in one transaction.

-- The 工号 a members row lists, normalised (commas or spaces, half- or full-width, between them).
CREATE FUNCTION callassist.agent_ids(bound text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(x), '{}') FROM regexp_split_to_table(coalesce(bound, ''), '[,，;；[:space:]]+') AS x
    WHERE x <> ''
$$;

-- Not SECURITY DEFINER: current_user must be the login that is writing (members is readable by the
-- workstation group). The owner and other admins are not checked (bulk loads, repairs): the check applies to a
-- login registered as a workstation, or to any direct member of callassist_workstation (one not registered in
-- members may upload no 工号 at all).
CREATE FUNCTION callassist.check_call_agent() RETURNS trigger
LANGUAGE plpgsql SET search_path = callassist, pg_catalog, pg_temp AS $$
DECLARE
    ids text[];
    registered boolean;
BEGIN
    SELECT callassist.agent_ids(m.agent_id) INTO ids
      FROM callassist.members m WHERE m.login = current_user AND m.kind = 'workstation';
    registered := FOUND;
    IF NOT registered THEN
        IF NOT EXISTS (SELECT 1 FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid
                       JOIN pg_roles r ON r.oid = am.member
                       WHERE g.rolname = 'callassist_workstation' AND r.rolname = current_user) THEN
            RETURN NEW;  -- an admin, not a workstation
        END IF;
        ids := '{}';
    END IF;
    IF NEW.agent_id = '' THEN
        -- A call without a 工号 claims nobody; a login that is one agent's gets it stamped, so the figures
        -- count the call for the right person.
        IF cardinality(ids) = 1 THEN
            NEW.agent_id := ids[1];
        END IF;
        RETURN NEW;
    END IF;
    IF NOT NEW.agent_id = ANY (ids) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'insufficient_privilege',
            MESSAGE = format('agent id %s is not registered for login %s (registered: %s)', NEW.agent_id,
                             current_user, CASE WHEN cardinality(ids) = 0 THEN 'none'
                                                ELSE array_to_string(ids, ',') END),
            HINT = 'an admin registers a login''s agent ids with: callassist team init --workstation LOGIN:ID[,ID…]:TEAM';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER calls_agent_binding BEFORE INSERT OR UPDATE ON callassist.calls
    FOR EACH ROW EXECUTE FUNCTION callassist.check_call_agent();
