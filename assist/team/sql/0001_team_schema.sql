-- callassist team server, version 1: every workstation's finished calls, row-level security per login.
-- Applied by `callassist team migrate` in one transaction (never edit a released file: add the next number).

DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callassist_workstation') THEN
        CREATE ROLE callassist_workstation NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callassist_supervisor') THEN
        CREATE ROLE callassist_supervisor NOLOGIN;
    END IF;
END $$;

-- Who is who: one row per login role (a workstation or an agent), its 工号 and team.
CREATE TABLE callassist.members (
    login       name PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('workstation', 'supervisor')),
    agent_id    text NOT NULL DEFAULT '',
    agent_name  text NOT NULL DEFAULT '',
    team        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE callassist.calls (
    id           text PRIMARY KEY,
    revision     integer NOT NULL CHECK (revision > 0),
    workstation  name NOT NULL DEFAULT current_user,     -- the login that sent it (RLS key)
    started_at   timestamptz NOT NULL,
    started_local text NOT NULL,                        -- the workstation's local ISO time with its offset
    ended_at     text,
    duration     double precision,
    status       text NOT NULL,
    source       text NOT NULL DEFAULT '',
    agent_name   text NOT NULL DEFAULT '',
    agent_id     text NOT NULL DEFAULT '',
    case_json    jsonb NOT NULL DEFAULT '{}',
    debtor_name  text NOT NULL DEFAULT '',
    phone        text NOT NULL DEFAULT '',
    account      text NOT NULL DEFAULT '',
    notes        text NOT NULL DEFAULT '',
    ptp_amount   double precision,
    ptp_date     text,
    ptp_channel  text,
    error        text NOT NULL DEFAULT '',
    kind         text NOT NULL DEFAULT 'call',          -- the local kind: a call or an analysed recording
    skipped_s    double precision NOT NULL DEFAULT 0,   -- audio the recogniser skipped under load
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calls_started ON callassist.calls (started_at);
CREATE INDEX calls_agent ON callassist.calls (agent_id, started_at);
CREATE INDEX calls_workstation ON callassist.calls (workstation);
CREATE INDEX calls_debtor ON callassist.calls (debtor_name);

-- Utterances are most of the data: partitioned by the call's start month (callassist.ensure_month creates
-- a month on first use; `team migrate` creates the current and next months).
CREATE TABLE callassist.utterances (
    call_started timestamptz NOT NULL,
    call_id      text NOT NULL REFERENCES callassist.calls (id) ON DELETE CASCADE,
    idx          integer NOT NULL,
    workstation  name NOT NULL DEFAULT current_user,
    text         text NOT NULL DEFAULT '',
    raw_text     text NOT NULL DEFAULT '',
    start        double precision,
    "end"        double precision,
    stage        text NOT NULL DEFAULT '',
    t            double precision,
    -- The workstation's own search tokens (jieba words in both number spellings, bigrams, pinyin): the
    -- server indexes exactly what the local search indexes, split on spaces only (no parser, no stemming:
    -- what the `simple` configuration does to pre-tokenised text, independent of the server's locale).
    tokens       text NOT NULL DEFAULT '',
    tsv          tsvector GENERATED ALWAYS AS (array_to_tsvector(array_remove(string_to_array(tokens, ' '), ''))) STORED,
    PRIMARY KEY (call_started, call_id, idx)
) PARTITION BY RANGE (call_started);
CREATE INDEX utterances_tsv ON callassist.utterances USING gin (tsv);
CREATE INDEX utterances_call ON callassist.utterances (call_id);

CREATE TABLE callassist.alerts (
    call_id      text NOT NULL REFERENCES callassist.calls (id) ON DELETE CASCADE,
    seq          integer NOT NULL,
    workstation  name NOT NULL DEFAULT current_user,
    utterance    integer,
    rule         text NOT NULL,
    severity     text NOT NULL,
    evidence     text NOT NULL DEFAULT '',
    source       text NOT NULL DEFAULT '',
    message      text NOT NULL DEFAULT '',
    advice       text NOT NULL DEFAULT '',
    basis        text NOT NULL DEFAULT '',
    t            double precision,
    retracted    boolean NOT NULL DEFAULT false,
    dismissed    boolean NOT NULL DEFAULT false,
    dismissed_at text,
    PRIMARY KEY (call_id, seq)
);
CREATE INDEX alerts_rule ON callassist.alerts (rule) WHERE NOT retracted;

CREATE TABLE callassist.stages (
    call_id      text NOT NULL REFERENCES callassist.calls (id) ON DELETE CASCADE,
    seq          integer NOT NULL,
    workstation  name NOT NULL DEFAULT current_user,
    stage        text NOT NULL,
    utterance    integer,
    t            double precision,
    PRIMARY KEY (call_id, seq)
);
CREATE INDEX stages_stage ON callassist.stages (stage);

CREATE TABLE callassist.ptps (
    call_id      text NOT NULL REFERENCES callassist.calls (id) ON DELETE CASCADE,
    seq          integer NOT NULL,
    workstation  name NOT NULL DEFAULT current_user,
    amount       double precision,
    date         text,
    channel      text,
    t            double precision,
    PRIMARY KEY (call_id, seq)
);

CREATE TABLE callassist.suggestions (
    call_id      text NOT NULL REFERENCES callassist.calls (id) ON DELETE CASCADE,
    seq          integer NOT NULL,
    workstation  name NOT NULL DEFAULT current_user,
    stage        text NOT NULL DEFAULT '',
    text         text NOT NULL DEFAULT '',
    reason       text NOT NULL DEFAULT '',
    line_id      text NOT NULL DEFAULT '',
    t            double precision,
    used         boolean NOT NULL DEFAULT false,
    used_at      double precision,
    alternatives jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (call_id, seq)
);

-- A month's utterance partition, made on first use by whoever sends a call of that month.
CREATE FUNCTION callassist.ensure_month(ts timestamptz) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = callassist, pg_temp AS $$
DECLARE
    m date := date_trunc('month', ts AT TIME ZONE 'UTC')::date;
    part text := 'utterances_' || to_char(m, 'YYYYMM');
BEGIN
    IF to_regclass('callassist.' || part) IS NOT NULL THEN
        RETURN part;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('callassist.ensure_month'));
    BEGIN  -- another session may have made it meanwhile (its commit is not always in our catalog cache yet)
        EXECUTE format('CREATE TABLE callassist.%I PARTITION OF callassist.utterances FOR VALUES FROM (%L) TO (%L)',
                       part, m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        NULL;
    END;
    RETURN part;
END $$;
REVOKE ALL ON FUNCTION callassist.ensure_month(timestamptz) FROM PUBLIC;

-- Row-level security: a workstation login sees and writes only the rows it sent; a supervisor reads all.
DO $$
DECLARE tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['calls', 'utterances', 'alerts', 'stages', 'ptps', 'suggestions'] LOOP
        EXECUTE format('ALTER TABLE callassist.%I ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format('CREATE POLICY own_rows ON callassist.%I FOR ALL TO callassist_workstation'
                       ' USING (workstation = current_user) WITH CHECK (workstation = current_user)', tbl);
        EXECUTE format('CREATE POLICY team_read ON callassist.%I FOR SELECT TO callassist_supervisor USING (true)', tbl);
        EXECUTE format('GRANT SELECT ON callassist.%I TO callassist_supervisor', tbl);
        IF tbl = 'calls' THEN
            EXECUTE 'GRANT SELECT, INSERT, UPDATE ON callassist.calls TO callassist_workstation';
        ELSE
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON callassist.%I TO callassist_workstation', tbl);
        END IF;
    END LOOP;
END $$;
GRANT USAGE ON SCHEMA callassist TO callassist_workstation, callassist_supervisor;
GRANT SELECT ON callassist.members TO callassist_supervisor, callassist_workstation;
GRANT EXECUTE ON FUNCTION callassist.ensure_month(timestamptz) TO callassist_workstation;
