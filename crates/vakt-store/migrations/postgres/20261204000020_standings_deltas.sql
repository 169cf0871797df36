-- The coordinator's overview is brought up to date from the acknowledgments added since it was
-- counted instead of being counted again: each acknowledgment carries the standings sequence it was
-- recorded at (`seq`, taken by the writer with a bump of the tenant's row, which it then holds
-- locked until commit; NULL only for records older than this migration), and the sequence counts
-- how many of its moves were acknowledgments (`acks`). Between two readings with the same
-- `seq - acks` nothing but acknowledgments was added, and exactly those with `seq` between the two.
ALTER TABLE standings_seq ADD COLUMN acks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE acknowledgments ADD COLUMN seq BIGINT;
-- New records only (the older ones keep NULL).
ALTER TABLE acknowledgments ADD CONSTRAINT acknowledgments_seq_required CHECK (seq IS NOT NULL) NOT VALID;
CREATE INDEX acknowledgments_seq ON acknowledgments (tenant_id, seq);
CREATE FUNCTION vakt_standings_bump_acks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO standings_seq (tenant_id, seq, acks)
    SELECT DISTINCT tenant_id, 1, 1 FROM changed_rows
    ON CONFLICT (tenant_id) DO UPDATE SET seq = standings_seq.seq + 1, acks = standings_seq.acks + 1;
    RETURN NULL;
END
$$;
DROP TRIGGER acknowledgments_standings_insert ON acknowledgments;
CREATE TRIGGER acknowledgments_standings_insert AFTER INSERT ON acknowledgments
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION vakt_standings_bump_acks();
