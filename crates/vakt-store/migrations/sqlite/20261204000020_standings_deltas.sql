-- The coordinator's overview is brought up to date from the acknowledgments added since it was
-- counted instead of being counted again: each acknowledgment carries the standings sequence it was
-- recorded at (`seq`, taken by the writer with a bump of the tenant's row; NULL only for records
-- older than this migration), and the sequence counts how many of its moves were acknowledgments
-- (`acks`). Between two readings with the same `seq - acks` nothing but acknowledgments was added,
-- and exactly those with `seq` between the two readings.
ALTER TABLE standings_seq ADD COLUMN acks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE acknowledgments ADD COLUMN seq INTEGER;
CREATE INDEX acknowledgments_seq ON acknowledgments (tenant_id, seq);
DROP TRIGGER acknowledgments_standings_insert;
CREATE TRIGGER acknowledgments_standings_insert AFTER INSERT ON acknowledgments
BEGIN
    INSERT INTO standings_seq (tenant_id, seq, acks) VALUES (NEW.tenant_id, 1, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = seq + 1, acks = acks + 1;
END;
CREATE TRIGGER acknowledgments_seq_required BEFORE INSERT ON acknowledgments
WHEN NEW.seq IS NULL
BEGIN
    SELECT RAISE(ABORT, 'acknowledgments.seq is required');
END;
